-- morpheus demo, part 0: the dense helpers every module builds on.
\echo '--- morpheus version'
SELECT morpheus.version();

\echo '--- a 2x3 matrix times a 3x2 matrix'
SELECT morpheus.matmul(a => '{{1,2,3},{4,5,6}}', b => '{{7,8},{9,10},{11,12}}') AS product;

\echo '--- least squares through the pseudo-inverse: fit y = b0 + b1 x to four points'
WITH pts(x, y) AS (VALUES (0, 1.0), (1, 2.9), (2, 5.1), (3, 7.0)),
     design AS (SELECT array_agg(ARRAY[1, x]::float8[] ORDER BY x) AS x, array_agg(ARRAY[y]::float8[] ORDER BY x) AS y FROM pts)
SELECT morpheus.matmul(a => morpheus.mat_ginv(a => x), b => y)::numeric(10,6)[] AS coefficients FROM design;

\echo '--- bad input is an ERROR with a hint, never a crash'
\set ON_ERROR_STOP 0
SELECT morpheus.matmul(a => '{{1,2}}', b => '{{1,2}}');
\set ON_ERROR_STOP 1
