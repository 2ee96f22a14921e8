using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using RealTimeMessageChat.Infrastructure.Configuration;
using RealTimeMessageChat.Infrastructure.Messaging;
using RealTimeMessageChat.Infrastructure.Storage.Redis;

namespace RealTimeMessageChat.Infrastructure.Tests;

public sealed class ConfigurationTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("rtmc-config-").FullName;

    [Fact]
    public void GetValidated_OutOfRangeValue_FailsNamingTheKey()
    {
        IConfiguration configuration = Memory(("redis_port", "70000"));

        var ex = Assert.Throws<RtmcConfigurationException>(() => configuration.GetValidated<RedisOptions>());

        Assert.Contains("'redis_port'", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void GetValidated_ValueOfWrongType_FailsNamingTheKey()
    {
        IConfiguration configuration = Memory(("rabbitmq_port", "five"));

        var ex = Assert.Throws<RtmcConfigurationException>(() => configuration.GetValidated<RabbitMqOptions>());

        Assert.Contains("rabbitmq_port", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void GetValidated_SnakeCaseKeys_BindToOptions()
    {
        IConfiguration configuration = Memory(("redis_host", "10.0.0.5"), ("redis_port", "6390"), ("redis_db_global_message_index", "3"), ("redis_ttl_sec", "60"));

        RedisOptions options = configuration.GetValidated<RedisOptions>();

        Assert.Equal(("10.0.0.5", 6390, 3, 60), (options.Host, options.Port, options.GlobalMessageDatabase, options.DedupeTtlSeconds));
    }

    [Fact]
    public void AddRtmcOptions_InvalidValue_FailsWhenOptionsAreFirstResolved()
    {
        var services = new ServiceCollection();
        services.AddRtmcOptions<RedisOptions>(Memory(("redis_db_user_status_index", "99")));
        using ServiceProvider provider = services.BuildServiceProvider();

        var ex = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<RedisOptions>>().Value);

        Assert.Contains("'redis_db_user_status_index'", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AddRtmcConfiguration_EnvironmentAndCommandLine_OverrideTheFileInThatOrder()
    {
        File.WriteAllText(Path.Combine(_directory, "t.json"), """{"server_port": 1000, "redis_port": 2000, "redis_host": "file"}""");
        using var environment = new EnvironmentScope(("RTMC_CONFIG_DIR", _directory), ("RTMC_REDIS_PORT", "3000"), ("RTMC_SERVER_PORT", "3001"));
        var builder = WebApplication.CreateBuilder();

        builder.AddRtmcConfiguration("t.json", ["--server_port", "4000"]);

        Assert.Equal("4000", builder.Configuration["server_port"]);
        Assert.Equal("3000", builder.Configuration["redis_port"]);
        Assert.Equal("file", builder.Configuration["redis_host"]);
    }

    [Fact]
    public void AddRtmcConfiguration_OriginalSpelling_FillsCanonicalKeyOnlyWhenUnset()
    {
        File.WriteAllText(Path.Combine(_directory, "alias.json"), """{"main_server_port": 7777, "rabbit_mq_host": "old", "rabbitmq_host": "new"}""");
        using var environment = new EnvironmentScope(("RTMC_CONFIG_DIR", _directory));
        var builder = WebApplication.CreateBuilder();

        builder.AddRtmcConfiguration("alias.json", []);

        Assert.Equal("7777", builder.Configuration["server_port"]);
        Assert.Equal("new", builder.Configuration["rabbitmq_host"]);
    }

    [Fact]
    public void FindConfigFile_Missing_NamesTheFileAndTheVariable()
    {
        var ex = Assert.Throws<RtmcConfigurationException>(() => RtmcConfigurationExtensions.FindConfigFile("nope.json", _directory));

        Assert.Contains("nope.json", ex.Message, StringComparison.Ordinal);
        Assert.Contains("RTMC_CONFIG_DIR", ex.Message, StringComparison.Ordinal);
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private static IConfiguration Memory(params (string Key, string Value)[] values) =>
        new ConfigurationBuilder().AddInMemoryCollection(values.Select(v => new KeyValuePair<string, string?>(v.Key, v.Value))).Build();
}
