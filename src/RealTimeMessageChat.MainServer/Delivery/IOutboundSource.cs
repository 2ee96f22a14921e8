namespace RealTimeMessageChat.MainServer.Delivery;

/// <summary>Where a writer gets the broadcast frames for its next send.</summary>
internal interface IOutboundSource
{
    /// <summary>Adds every frame due, up to the batch's caps; completes synchronously unless history must be read.</summary>
    ValueTask FillAsync(OutboundBatch batch);

    /// <summary>The send of what the last fill added completed: move the cursors past it.</summary>
    void Commit();
}
