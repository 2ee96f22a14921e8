-- Accounts for RestApi. password_hash holds the PBKDF2 hash in its self-describing text form.
CREATE TABLE users (
    user_id        text        PRIMARY KEY CHECK (user_id ~ '^[A-Za-z0-9_-]{1,64}$'),
    username       text,
    password_hash  text        NOT NULL,
    is_banned      boolean     NOT NULL DEFAULT false,
    is_chat_banned boolean     NOT NULL DEFAULT false,
    is_admin       boolean     NOT NULL DEFAULT false,
    is_online      boolean     NOT NULL DEFAULT false,
    status         text,
    last_seen_at   timestamptz,
    created_at     timestamptz NOT NULL DEFAULT now()
);
