namespace RealTimeMessageChat.UserClient.Session;

/// <summary>
/// The highest <c>seq</c> printed per room. Drops broadcasts already printed (a replay that overlaps
/// what was seen live, a server that sends twice) and says where a reconnect should resume.
/// </summary>
internal sealed class SeqTracker
{
    private readonly Dictionary<string, long> _printed = new(StringComparer.Ordinal);
    private readonly Dictionary<string, long> _roomFloor = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();
    private readonly long? _startAfter;
    private long? _resumeFloor;

    /// <param name="startAfter">Replay the global room after this seq on the first connect (<c>--last-seq</c>).</param>
    public SeqTracker(long? startAfter = null)
    {
        _startAfter = startAfter;
        _resumeFloor = startAfter;
    }

    /// <summary>True (and remembered) when <paramref name="seq"/> is newer than anything printed for the room.</summary>
    public bool TryAccept(string room, long seq)
    {
        ArgumentNullException.ThrowIfNull(room);
        lock (_lock)
        {
            long floor = _printed.TryGetValue(room, out long printed) ? printed : room.Length == 0 ? _startAfter ?? 0 : 0;
            if (seq <= floor)
            {
                return false;
            }

            _printed[room] = seq;
            return true;
        }
    }

    /// <summary>
    /// The <c>last_seq</c> to send on connect: the highest seq printed for the global room (or the
    /// newest the server reported, if higher), else <c>--last-seq</c>, else null for a first,
    /// live-only connect.
    /// </summary>
    public long? ResumeAfter()
    {
        lock (_lock)
        {
            bool hasPrinted = _printed.TryGetValue(string.Empty, out long printed);
            return (hasPrinted, _resumeFloor) switch
            {
                (true, { } floor) => Math.Max(printed, floor),
                (true, null) => printed,
                (false, var floor) => floor,
            };
        }
    }

    /// <summary>
    /// Records the newest seq the server reported on a live-only connect, so a reconnect replays
    /// what was missed even if nothing was printed in between. It moves only the resume point and
    /// hides no broadcast, in case the server's feed lags its counter.
    /// </summary>
    public void ObserveServerNewest(long newest)
    {
        lock (_lock)
        {
            _resumeFloor = Math.Max(_resumeFloor ?? 0, newest);
        }
    }

    /// <summary>
    /// The <c>last_seq</c> to send for a room other than the global one (handshake <c>rooms</c>,
    /// <c>join</c>): the highest seq printed there, or the newest the server reported when it was
    /// joined; null when it was never received (live from its newest).
    /// </summary>
    public long? ResumeAfter(string room)
    {
        lock (_lock)
        {
            long? printed = _printed.TryGetValue(room, out long p) ? p : null;
            long? floor = _roomFloor.TryGetValue(room, out long f) ? f : null;
            return printed is null ? floor : floor is null ? printed : Math.Max(printed.Value, floor.Value);
        }
    }

    /// <summary>The server answered <c>joined</c> with the room's newest seq: a reconnect resumes from there at least.</summary>
    public void ObserveRoomHead(string room, long seq)
    {
        lock (_lock)
        {
            _roomFloor[room] = Math.Max(_roomFloor.GetValueOrDefault(room), seq);
        }
    }

    public long? LastPrinted(string room)
    {
        lock (_lock)
        {
            return _printed.TryGetValue(room, out long printed) ? printed : null;
        }
    }
}
