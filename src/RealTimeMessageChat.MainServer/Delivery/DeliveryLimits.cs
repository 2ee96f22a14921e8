using RealTimeMessageChat.MainServer.Options;

namespace RealTimeMessageChat.MainServer.Delivery;

/// <summary>The per-client delivery bounds, read once from the options.</summary>
internal sealed record DeliveryLimits(bool DisconnectSlow, long MaxBacklogBytes, long MaxBacklogFrames, long MaxBacklogAgeMs, int ReplayBatchSize, bool ToolkitCompress = false)
{
    public static DeliveryLimits From(MainServerOptions options) => new(
        options.SlowClientPolicy != SlowClientPolicies.CatchUp,
        options.MaxBacklogBytes,
        options.SendQueueCapacity,
        options.MaxBacklogAgeSeconds * 1000L,
        options.ReplayBatchSize,
        options.LegacyToolkitCompress);
}
