using StackExchange.Redis;

namespace RealTimeMessageChat.IntegrationTests.Harness;

/// <summary>The few Redis reads the tests assert on (SE.Redis 1.2.6 has no stream API, hence Lua).</summary>
public sealed class IDatabaseAsyncShim(IDatabase database)
{
    public async Task<long> StreamLengthAsync(string key) =>
        (long)await database.ScriptEvaluateAsync("return redis.call('XLEN', KEYS[1])", [key]);

    public async Task<long> GetLongAsync(string key) => (long)await database.StringGetAsync(key);
}
