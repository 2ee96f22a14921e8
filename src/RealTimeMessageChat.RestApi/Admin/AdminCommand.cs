using System.Data.Common;
using System.Text;
using Microsoft.Extensions.Options;
using RealTimeMessageChat.Contracts.Validation;
using RealTimeMessageChat.Infrastructure.Configuration;
using RealTimeMessageChat.Infrastructure.Security;
using RealTimeMessageChat.Infrastructure.Storage;
using RealTimeMessageChat.Infrastructure.Storage.Postgres;
using RealTimeMessageChat.RestApi.Options;
using RealTimeMessageChat.RestApi.Validation;

namespace RealTimeMessageChat.RestApi.Admin;

/// <summary>
/// <c>RealTimeMessageChat.RestApi admin create &lt;user_id&gt;</c>: the first admin (or another one),
/// with the RestApi's own configuration (config/ file, environment, arguments). The password comes
/// from <c>RTMC_ADMIN_PASSWORD</c>, else from the terminal (typed twice, not echoed), else from the
/// first line of standard input; there is no default. An existing account gets the password and the
/// flag; either way the action is in <c>moderation_audit</c> with actor <c>cli</c>.
/// Exit codes: 0 done, 1 the database failed, 2 usage, password or configuration error.
/// </summary>
internal static class AdminCommand
{
    public const string PasswordVariable = "RTMC_ADMIN_PASSWORD";
    private const string Usage = "usage: RealTimeMessageChat.RestApi admin create <user_id>   (password: RTMC_ADMIN_PASSWORD, the terminal, or stdin)";

    public static async Task<int> RunAsync(string[] args)
    {
        if (args is not ["admin", "create", string userId, ..])
        {
            Console.Error.WriteLine(Usage);
            return 2;
        }

        if (!MessageRules.IsValidUserId(userId))
        {
            Console.Error.WriteLine("admin create: the user id must match [A-Za-z0-9_-]{1,64}.");
            return 2;
        }

        string? password = ReadPassword(userId);
        if (password is null || password.Length is < RequestValidator.MinPasswordLength or > RequestValidator.MaxPasswordLength)
        {
            Console.Error.WriteLine($"admin create: a password of {RequestValidator.MinPasswordLength} to {RequestValidator.MaxPasswordLength} characters is needed ({PasswordVariable}, the terminal, or stdin); there is no default.");
            return 2;
        }

        try
        {
            return await CreateAsync(userId, password, args[3..]);
        }
        catch (Exception ex) when (ex is RtmcConfigurationException or OptionsValidationException)
        {
            Console.Error.WriteLine($"admin create: bad configuration: {ex.Message}");
            return 2;
        }
        catch (DbException ex)
        {
            Console.Error.WriteLine($"admin create: the database failed: {ex.Message}");
            return 1;
        }
    }

    private static async Task<int> CreateAsync(string userId, string password, string[] configurationArgs)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.AddRtmcConfiguration("rest_api_configurations.json", configurationArgs);
        builder.Services.AddLogging();
        builder.Services.AddRtmcOptions<RestApiOptions>(builder.Configuration);
        builder.Services.AddRtmcPostgres(builder.Configuration, migrate: false);
        builder.Services.AddSingleton<IModerationRepository, PostgresModerationRepository>();
        using IHost host = builder.Build();

        // The same migrations the RestApi runs at start: the tables may not exist yet.
        await host.Services.GetRequiredService<MigrationRunner>().ApplyAsync(CancellationToken.None);
        var hasher = new PasswordHasher(host.Services.GetRequiredService<IOptions<RestApiOptions>>().Value.PasswordHashIterations);
        bool created = await host.Services.GetRequiredService<IModerationRepository>().CreateAdminAsync("cli", userId, hasher.Hash(password), CancellationToken.None);
        Console.WriteLine(created ? $"admin '{userId}' created" : $"'{userId}' is an admin now; its password was replaced");
        return 0;
    }

    private static string? ReadPassword(string userId)
    {
        if (Environment.GetEnvironmentVariable(PasswordVariable) is { Length: > 0 } fromEnvironment)
        {
            return fromEnvironment;
        }

        if (Console.IsInputRedirected)
        {
            return Console.In.ReadLine();
        }

        string first = ReadHidden($"Password for admin '{userId}': ");
        string second = ReadHidden("Again: ");
        if (first != second)
        {
            Console.Error.WriteLine("admin create: the two passwords differ.");
            return null;
        }

        return first;
    }

    private static string ReadHidden(string prompt)
    {
        Console.Error.Write(prompt);
        var text = new StringBuilder();
        while (true)
        {
            ConsoleKeyInfo key = Console.ReadKey(intercept: true);
            if (key.Key == ConsoleKey.Enter)
            {
                Console.Error.WriteLine();
                return text.ToString();
            }

            if (key.Key == ConsoleKey.Backspace)
            {
                text.Length = Math.Max(0, text.Length - 1);
            }
            else if (!char.IsControl(key.KeyChar))
            {
                text.Append(key.KeyChar);
            }
        }
    }
}
