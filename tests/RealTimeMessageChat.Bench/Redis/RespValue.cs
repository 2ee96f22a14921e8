namespace RealTimeMessageChat.Bench.Redis;

internal enum RespKind
{
    Nil,
    Simple,
    Error,
    Integer,
    Bulk,
    Array,
}

/// <summary>One RESP2 reply.</summary>
internal sealed record RespValue(RespKind Kind, string? Text, long Integer, RespValue[]? Items)
{
    public static readonly RespValue Nil = new(RespKind.Nil, null, 0, null);

    public bool IsError => Kind == RespKind.Error;

    public override string ToString() => Kind switch
    {
        RespKind.Nil => "(nil)",
        RespKind.Integer => Integer.ToString(System.Globalization.CultureInfo.InvariantCulture),
        RespKind.Array => "[" + string.Join(", ", Items!.Select(i => i.ToString())) + "]",
        _ => Text ?? string.Empty,
    };
}
