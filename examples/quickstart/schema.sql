-- The schema the quickstart's migrations build, kept by hand: the
-- [autogenerate] target of retort.toml. `retort check` compares the
-- database (at head) with it; edit it and `retort revision --autogenerate
-- -m "..."` writes the migration that gets there.

CREATE TABLE users (
    id INTEGER PRIMARY KEY,
    name VARCHAR(100) NOT NULL,
    email VARCHAR(255)
);
CREATE UNIQUE INDEX ux_users_email ON users (email);

CREATE TABLE posts (
    id INTEGER PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users (id),
    title VARCHAR(200) NOT NULL,
    body TEXT
);
CREATE INDEX ix_posts_user_id ON posts (user_id);

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
-- keep a count of posts per tag (autogenerate leaves triggers to
-- hand-written migrations; `retort test` checks this one is there)
CREATE TRIGGER post_tags_count AFTER INSERT ON post_tags
BEGIN
    UPDATE tags SET post_count = post_count + 1 WHERE id = NEW.tag_id;
END;
