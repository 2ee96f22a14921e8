using System.Diagnostics;
using Microsoft.AspNetCore.Http;
using Serilog.Events;

namespace RealTimeMessageChat.Infrastructure.Logging;

/// <summary>
/// One line per HTTP request, after the rest of the pipeline settled its status: method, path
/// without the query, status and time, never a body or a header. The same line Serilog.AspNetCore's
/// request logging wrote, without its per-request diagnostic context: that context is an
/// <c>AsyncLocal</c>, set and cleared on every request, which nothing here reads.
/// </summary>
internal sealed class RequestLogMiddleware(RequestDelegate next, Serilog.ILogger logger)
{
    private const string Template = "HTTP {RequestMethod} {RequestPath} responded {StatusCode} in {Elapsed:0.0000} ms";

    private readonly Serilog.ILogger _logger = logger.ForContext<RequestLogMiddleware>();

    public async Task InvokeAsync(HttpContext context)
    {
        long started = Stopwatch.GetTimestamp();
        try
        {
            await next(context);
        }
        catch (Exception ex)
        {
            // Unhandled by everything after this middleware: the client sees a 500.
            Write(context, started, StatusCodes.Status500InternalServerError, ex);
            throw;
        }

        Write(context, started, context.Response.StatusCode, null);
    }

    private void Write(HttpContext context, long started, int status, Exception? exception)
    {
        LogEventLevel level = exception is not null || status >= StatusCodes.Status500InternalServerError ? LogEventLevel.Error
            : IsRoutine(context.Request.Path, status) ? LogEventLevel.Debug
            : LogEventLevel.Information;
        if (_logger.IsEnabled(level))
        {
            double elapsedMs = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            _logger.Write(level, exception, Template, context.Request.Method, context.Request.Path.Value, status, elapsedMs);
        }
    }

    private static bool IsRoutine(PathString path, int status) =>
        path.StartsWithSegments("/health") || path.StartsWithSegments("/metrics")

        // Per request at Information, the log line (render, queue, write) cost more CPU than the
        // publish itself at 4,000 requests a second (perf, 2026-12-02).
        || status == StatusCodes.Status202Accepted;
}
