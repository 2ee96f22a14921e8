-- Rooms and direct messages (issue 8). PostgreSQL is the source of truth for who is in which room;
-- the processes cache membership and drop entries when the control channel announces a change.
-- The global room '' is not a row: everyone is in it.
CREATE TABLE rooms (
    room_id     text        PRIMARY KEY,
    name        text        NOT NULL,
    -- 'public': anyone may join; 'private': the owner or an admin adds members; 'direct': a DM thread.
    visibility  text        NOT NULL CHECK (visibility IN ('public', 'private', 'direct')),
    owner_id    text        NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE room_members (
    room_id     text        NOT NULL REFERENCES rooms (room_id) ON DELETE CASCADE,
    user_id     text        NOT NULL,
    joined_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (room_id, user_id)
);

CREATE INDEX room_members_user ON room_members (user_id);

-- The highest seq each member has read (the TCP 'read' command); unread = room's newest seq - this.
CREATE TABLE room_reads (
    room_id     text        NOT NULL,
    user_id     text        NOT NULL,
    seq         bigint      NOT NULL CHECK (seq >= 0),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (room_id, user_id)
);
