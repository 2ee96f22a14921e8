-- Every moderation action (ban, chat-ban, their reversals, admin grants), who did it, to whom and why.
-- actor_id is not a foreign key: 'cli' (./build.sh admin create) is no account, and the record
-- must outlive a deleted account.
CREATE TABLE moderation_audit (
    id          bigserial   PRIMARY KEY,
    actor_id    text        NOT NULL,
    action      text        NOT NULL,
    target_id   text        NOT NULL,
    reason      text,
    created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX moderation_audit_target ON moderation_audit (target_id, created_at);
