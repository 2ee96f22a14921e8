-- Issue 7: the original system's operators query a `messages` table with its own column names.
-- Our rows move to chat_messages, and `messages` becomes a view: the original's columns first
-- (message_id, user_id, sub_id, command, publisher_info, server_name, content, status, created_at,
-- processed_at), then ours, so existing queries and ours both keep working. It is a simple view of
-- one table, so DELETE and UPDATE of our columns through it still work in PostgreSQL.
ALTER TABLE messages RENAME TO chat_messages;
ALTER TABLE chat_messages RENAME CONSTRAINT messages_pkey TO chat_messages_pkey;
ALTER TABLE chat_messages RENAME CONSTRAINT messages_sender_id_message_id_key TO chat_messages_sender_id_message_id_key;
ALTER INDEX messages_sender_idx RENAME TO chat_messages_sender_idx;

CREATE VIEW messages AS
SELECT
    message_id,
    sender_id AS user_id,
    room AS sub_id,
    command,
    -- The queue body's publisher_information as the consumer received it (its "source" is not kept).
    jsonb_build_object(
        'message_id', message_id,
        'priority', priority,
        'metadata', metadata,
        'created_at', floor(extract(epoch FROM created_at))::bigint) AS publisher_info,
    -- Not recorded: any consumer may persist any message, so no one server's name belongs to a row.
    NULL::text AS server_name,
    content,
    -- A row exists only once the message was accepted, numbered and stored.
    'processed'::text AS status,
    created_at,
    stored_at AS processed_at,
    room,
    seq,
    sender_id,
    priority,
    metadata,
    stored_at
FROM chat_messages;
