-- Every accepted message, once. (room, seq) is the order; (sender_id, message_id) the idempotency key.
CREATE TABLE messages (
    room        text        NOT NULL,
    seq         bigint      NOT NULL,
    message_id  uuid        NOT NULL,
    sender_id   text        NOT NULL,
    command     text        NOT NULL,
    content     text        NOT NULL,
    priority    smallint    NOT NULL DEFAULT 2,
    metadata    jsonb       NOT NULL DEFAULT '{}'::jsonb,
    created_at  timestamptz NOT NULL,
    stored_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (room, seq),
    UNIQUE (sender_id, message_id)
);

CREATE INDEX messages_sender_idx ON messages (sender_id, created_at);
