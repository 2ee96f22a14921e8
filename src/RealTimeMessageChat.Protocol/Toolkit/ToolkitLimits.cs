namespace RealTimeMessageChat.Protocol.Toolkit;

/// <summary>
/// What a receiver of C++ toolkit frames accepts. Both bounds are checked before anything is
/// allocated or waited for, so a declared size alone can never make the reader allocate it.
/// </summary>
public sealed record ToolkitLimits
{
    /// <summary>The default of <see cref="MaxBodyBytes"/>: our <c>max_frame_bytes</c> (the toolkit itself allows 8 MiB).</summary>
    public const int DefaultMaxBodyBytes = FrameCodec.DefaultMaxPayloadSize;

    /// <summary>The default of <see cref="MaxDecompressedBytes"/>.</summary>
    public const int DefaultMaxDecompressedBytes = 1024 * 1024;

    /// <summary>The defaults.</summary>
    public static ToolkitLimits Default { get; } = new();

    /// <summary>Largest body (as sent, i.e. after compression) a frame may declare; 1 or more.</summary>
    public int MaxBodyBytes
    {
        get;
        init
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 1);
            field = value;
        }
    } = DefaultMaxBodyBytes;

    /// <summary>Largest LZ4-decoded body (every chunk's original size together); 1 or more.</summary>
    public int MaxDecompressedBytes
    {
        get;
        init
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 1);
            field = value;
        }
    } = DefaultMaxDecompressedBytes;
}
