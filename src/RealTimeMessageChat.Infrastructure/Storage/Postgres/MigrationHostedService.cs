using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace RealTimeMessageChat.Infrastructure.Storage.Postgres;

/// <summary>
/// Applies migrations in <see cref="StartAsync"/>, so the host does not serve before the schema
/// exists. Retries for a while because PostgreSQL may still be starting beside us (compose, build.sh),
/// then fails the start with the reason.
/// </summary>
internal sealed partial class MigrationHostedService(MigrationRunner runner, ILogger<MigrationHostedService> logger) : IHostedService
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var started = TimeProvider.System.GetTimestamp();
        var delay = TimeSpan.FromMilliseconds(200);
        while (true)
        {
            try
            {
                await runner.ApplyAsync(cancellationToken);
                return;
            }
            catch (Exception ex) when ((ex is NpgsqlException { IsTransient: true } or System.Net.Sockets.SocketException or TimeoutException)
                                       && TimeProvider.System.GetElapsedTime(started) < Deadline)
            {
                LogRetrying(logger, ex.Message, delay.TotalMilliseconds);
                await Task.Delay(delay, cancellationToken);
                delay = TimeSpan.FromMilliseconds(Math.Min(delay.TotalMilliseconds * 2, 2_000));
            }
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(EventId = 301, Level = LogLevel.Warning, Message = "PostgreSQL not reachable yet ({Reason}); retrying migrations in {DelayMs} ms")]
    private static partial void LogRetrying(ILogger logger, string reason, double delayMs);
}
