-- Dense helpers: the documented examples, and what a user sees on bad input.
SET extra_float_digits = 0;

SELECT morpheus.version() = (SELECT extversion FROM pg_extension WHERE extname = 'morpheus') AS version_matches;

-- [1 2 3; 4 5 6] [7 8; 9 10; 11 12] = [58 64; 139 154]
SELECT morpheus.matmul(a => '{{1,2,3},{4,5,6}}', b => '{{7,8},{9,10},{11,12}}');

SELECT morpheus.mat_transpose(a => '{{1,2,3},{4,5,6}}');

-- 2x + y = 5, x + 3y = 10  =>  x = 1, y = 3
SELECT morpheus.mat_solve(a => '{{2,1},{1,3}}', b => '{{5},{10}}');

-- inverse of [4 7; 2 6] is [0.6 -0.7; -0.2 0.4]
SELECT morpheus.mat_ginv(a => '{{4,7},{2,6}}');

-- pseudo-inverse of the rank-1 matrix [1 2; 2 4] is [1 2; 2 4] / 25
SELECT morpheus.mat_ginv(a => '{{1,2},{2,4}}');

-- bad input: every one is an ERROR with a message naming the argument, and a hint
SELECT morpheus.matmul('{{1,2}}', '{{1,2}}');
SELECT morpheus.matmul('{1,2}', '{{1},{2}}');
SELECT morpheus.matmul('{{{1}}}', '{{1}}');
SELECT morpheus.matmul('{}', '{{1}}');
SELECT morpheus.matmul('{{1,NULL}}', '{{1},{2}}');
SELECT morpheus.matmul('{{NaN,1}}', '{{1},{2}}');
SELECT morpheus.matmul('{{1e300}}', '{{1e300}}');
SELECT morpheus.mat_solve('{{1,2},{2,4}}', '{{1},{2}}');
SELECT morpheus.mat_solve('{{1,2,3},{4,5,6}}', '{{1},{2}}');
SELECT morpheus.mat_solve('{{1,0},{0,1}}', '{{1},{2},{3}}');
SELECT morpheus.mat_ginv('{{Infinity}}');

-- NULL in, NULL out (the functions are STRICT)
SELECT morpheus.matmul(NULL, '{{1}}') IS NULL AS null_result;
