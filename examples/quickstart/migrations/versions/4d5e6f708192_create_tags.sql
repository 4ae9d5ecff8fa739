-- create tags
--
-- The other side of the branch, labelled so it can be addressed as
-- tags@head.
--
-- Revision ID: 4d5e6f708192
-- Revises: 2b3c4d5e6f70
-- Branch Labels: tags
-- Create Date: 2026-11-26 10:12:00.000000+00:00

-- retort:upgrade
CREATE TABLE tags (
    id INTEGER PRIMARY KEY,
    name VARCHAR(50) NOT NULL UNIQUE,
    post_count INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE post_tags (
    post_id INTEGER NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
    tag_id INTEGER NOT NULL REFERENCES tags (id) ON DELETE CASCADE,
    PRIMARY KEY (post_id, tag_id)
);
-- keep a count of posts per tag
CREATE TRIGGER post_tags_count AFTER INSERT ON post_tags
BEGIN
    UPDATE tags SET post_count = post_count + 1 WHERE id = NEW.tag_id;
END;

-- retort:downgrade
DROP TRIGGER post_tags_count;
DROP TABLE post_tags;
DROP TABLE tags;
