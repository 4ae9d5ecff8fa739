-- merge email and tags
--
-- Revision ID: 5e6f708192a3
-- Revises: 3c4d5e6f7081, 4d5e6f708192
-- Create Date: 2026-11-26 10:20:00.000000+00:00

-- retort:upgrade
INSERT INTO tags (name) VALUES ('welcome');

-- retort:downgrade
DELETE FROM tags WHERE name = 'welcome';
