-- First start of the container: create the extension in the default database (and in template1, so new databases
-- have it too).
CREATE EXTENSION IF NOT EXISTS morpheus;
\connect template1
CREATE EXTENSION IF NOT EXISTS morpheus;
