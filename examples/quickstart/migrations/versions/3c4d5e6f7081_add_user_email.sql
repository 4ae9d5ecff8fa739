-- add users.email
--
-- One side of a branch: written on the main line while the tags work
-- (4d5e6f708192) was written in parallel from the same parent.
--
-- Revision ID: 3c4d5e6f7081
-- Revises: 2b3c4d5e6f70
-- Create Date: 2026-11-26 10:10:00.000000+00:00

-- retort:upgrade
ALTER TABLE users ADD COLUMN email VARCHAR(255);
CREATE UNIQUE INDEX ux_users_email ON users (email);

-- retort:downgrade
DROP INDEX ux_users_email;
ALTER TABLE users DROP COLUMN email;
