-- create posts
--
-- Revision ID: 2b3c4d5e6f70
-- Revises: 1a2b3c4d5e6f
-- Create Date: 2026-11-26 10:05:00.000000+00:00

-- retort:upgrade
CREATE TABLE posts (
    id INTEGER PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users (id),
    title VARCHAR(200) NOT NULL,
    body TEXT
);
CREATE INDEX ix_posts_user_id ON posts (user_id);

-- retort:downgrade
DROP INDEX ix_posts_user_id;
DROP TABLE posts;
