using System.CommandLine;
using System.Runtime.InteropServices;
using Microsoft.Extensions.Logging;
using RealTimeMessageChat.UserClient.Api;
using RealTimeMessageChat.UserClient.Configuration;
using RealTimeMessageChat.UserClient.Console;
using RealTimeMessageChat.UserClient.Networking;
using RealTimeMessageChat.UserClient.Options;
using RealTimeMessageChat.UserClient.Session;
using Serilog;
using Serilog.Extensions.Logging;

namespace RealTimeMessageChat.UserClient;

/// <summary>The composition root: configuration, logging, signals, then the session.</summary>
internal static class UserClientApp
{
    public const int ExitBadConfiguration = 2;

    private const string LogTemplate = "{Timestamp:yyyy-MM-dd HH:mm:ss.fff zzz} [{Level:u3}] {SourceContext}: {Message:lj}{NewLine}{Exception}";

    public static async Task<int> RunAsync(string[] args, TextReader stdin, TextWriter stdout, TextWriter stderr)
    {
        ParseResult commandLine = UserClientCommandLine.Parse(args);
        if (commandLine.Errors.Count == 0 && commandLine.Action is not null)
        {
            // --help or --version: the root command has no action of its own.
            return await commandLine.InvokeAsync(new InvocationConfiguration { Output = stdout, Error = stderr });
        }

        UserClientOptions options;
        try
        {
            options = UserClientConfiguration.Load(commandLine);
        }
        catch (UserClientConfigurationException ex)
        {
            await stderr.WriteLineAsync($"UserClient cannot start: {ex.Message}");
            await stderr.WriteLineAsync("Usage: UserClient --user <id> [--password <pw>] [--register] [--last-seq N] [--<config_key> <value>]; --help lists every option.");
            return ExitBadConfiguration;
        }

        string? password = string.IsNullOrEmpty(options.Password) ? PasswordPrompt.Read(options.User!) : options.Password;
        if (string.IsNullOrEmpty(password))
        {
            await stderr.WriteLineAsync("UserClient cannot start: Configuration key 'password': give --password, set RTMC_PASSWORD, or run on a terminal to be asked.");
            return ExitBadConfiguration;
        }

        using var stopping = new CancellationTokenSource();
        ConsoleCancelEventHandler onCancelKey = (_, e) =>
        {
            e.Cancel = true;
            stopping.Cancel();
        };
        System.Console.CancelKeyPress += onCancelKey;
        using PosixSignalRegistration sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context =>
        {
            // Handle it ourselves so the session closes its socket and the exit code is 0.
            context.Cancel = true;
            stopping.Cancel();
        });

        Serilog.Core.Logger serilog = new LoggerConfiguration()
            .MinimumLevel.Is(options.LogLevel)
            .Enrich.WithProperty("Application", "UserClient")
            .Enrich.WithProperty("UserId", options.User)
            .WriteTo.File(
                Path.Combine(options.LogRootPath, "UserClient-.log"),
                rollingInterval: RollingInterval.Day,
                retainedFileCountLimit: 14,
                shared: true,
                outputTemplate: LogTemplate)
            .CreateLogger();
        using var loggerFactory = new SerilogLoggerFactory(serilog, dispose: true);
        Uri restApi = options.GetRestApiBaseAddress();
        var handler = new SocketsHttpHandler();
        if (ClientTls.ForRestApi(options, restApi) is { } validation)
        {
            handler.SslOptions.RemoteCertificateValidationCallback = validation;
        }

        using var httpClient = new HttpClient(handler)
        {
            BaseAddress = restApi,
            Timeout = TimeSpan.FromSeconds(options.HttpTimeoutSec),
        };

        var api = new ChatApiClient(httpClient, options.User!, password, loggerFactory.CreateLogger<ChatApiClient>(), options.PublishMaxAttempts);
        var session = new ChatSession(options, api, new ConsoleChatOutput(stdout, stderr), loggerFactory.CreateLogger<ChatSession>());
        try
        {
            return await session.RunAsync(StdinReader.Start(stdin), stopping.Token);
        }
        finally
        {
            System.Console.CancelKeyPress -= onCancelKey;
        }
    }
}
