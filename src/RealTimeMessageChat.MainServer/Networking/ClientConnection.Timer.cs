namespace RealTimeMessageChat.MainServer.Networking;

/// <summary>
/// Deadlines checked by the one shared <see cref="ConnectionTimer"/>: no timer, task or token
/// per connection. Timeouts are whole seconds, so a one-second tick is precise enough.
/// </summary>
internal sealed partial class ClientConnection
{
    private long _lastPingAt;

    public void OnTick(long now)
    {
        if (IsAborted)
        {
            return;
        }

        long closeRequestedAt = Volatile.Read(ref _closeRequestedAt);
        if (closeRequestedAt != 0)
        {
            if (now - closeRequestedAt >= _settings.DrainTimeoutMs)
            {
                Abort("send queue not drained in time");
            }

            return;
        }

        if (!_authenticated)
        {
            if (now - OpenedAt >= _settings.HandshakeTimeoutMs)
            {
                if (_transport.IsEstablished)
                {
                    _handler.RejectHandshakeTimeout(this);
                }
                else
                {
                    // No frame can be sent before the TLS handshake is done: just close.
                    _handler.Metrics.TlsHandshakeFailed();
                    LogTlsHandshakeTimeout(_logger, Id, RemoteEndPoint, (int)(_settings.HandshakeTimeoutMs / 1000));
                    Abort("TLS handshake timeout");
                }
            }

            return;
        }

        if (now - Volatile.Read(ref _lastInboundAt) >= 3 * _settings.HeartbeatIntervalMs)
        {
            LogClientSilent(_logger, Id, UserId, (int)(3 * _settings.HeartbeatIntervalMs / 1000));
            RequestClose("silent for three heartbeat intervals");
            return;
        }

        long partialSince = Volatile.Read(ref _partialSince);
        if (partialSince != 0 && now - partialSince >= _settings.FrameTimeoutMs)
        {
            // Issue 9: a frame started and never finished was closed only by the heartbeat rule.
            _handler.RejectBadFrame(this, $"Frame not completed within {_settings.FrameTimeoutMs / 1000} s (frame_timeout_sec).");
            return;
        }

        if (now - _lastPingAt >= _settings.HeartbeatIntervalMs)
        {
            _lastPingAt = now;
            Send(Toolkit is null ? CommandHandler.PingFrame : CommandHandler.ToolkitPingFrame);
        }

        if (Delivery.NeedsRetry)
        {
            Schedule();
        }
    }
}
