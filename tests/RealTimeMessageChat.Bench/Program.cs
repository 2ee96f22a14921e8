using System.CommandLine;
using RealTimeMessageChat.Bench.Runner;

// ./build.sh bench runs this once per phase (refs, pipeline, fanout), then with --phase report.
var phase = new Option<string>("--phase") { Description = "refs | pipeline | fanout | report", DefaultValueFactory = _ => "report" };
var quick = new Option<bool>("--quick") { Description = "Shorter runs and fewer scenarios (under 4 minutes for ./build.sh bench --quick)." };
var output = new Option<string>("--out") { Description = "Results folder (phase-*.json, then results.json, summary.md, *.svg).", DefaultValueFactory = _ => "bench-results" };
var only = new Option<string[]>("--only") { Description = "Only the measurements whose id starts with one of these (e.g. ours.max).", AllowMultipleArgumentsPerToken = true };
var apiUrl = new Option<string>("--api-url") { Description = "The RestApi.", DefaultValueFactory = _ => "http://127.0.0.1:8080" };
var tcpPort = new Option<int>("--tcp-port") { Description = "The MainServer's TCP port.", DefaultValueFactory = _ => 9876 };
var redisPort = new Option<int>("--redis-port") { Description = "The Redis the MainServer follows.", DefaultValueFactory = _ => 6379 };
var serverPid = new Option<int>("--mainserver-pid") { Description = "The MainServer's pid, for its RSS and CPU from /proc." };
var amqpPort = new Option<int>("--amqp-port") { Description = "RabbitMQ, for the broker-alone reference (password from RTMC_RABBITMQ_PASSWORD).", DefaultValueFactory = _ => 5672 };
var amqpUser = new Option<string>("--amqp-user") { Description = "RabbitMQ user.", DefaultValueFactory = _ => "guest" };
var refsBin = new Option<string>("--refs-bin") { Description = "Folder with the built fanout_server and fanout_client (empty: references skipped)." };
var refsSkip = new Option<string>("--refs-skip-reason") { Description = "Why the references are missing, for the report.", DefaultValueFactory = _ => "the C references were not built" };
var refPort = new Option<int>("--ref-port") { Description = "Port for the C fanout_server.", DefaultValueFactory = _ => 17001 };
var refRedisPort = new Option<int>("--ref-redis-port") { Description = "A redis-server of its own for the pub/sub reference (0: none)." };
var refRedisPid = new Option<int>("--ref-redis-pid") { Description = "Its pid, for its RSS." };

var root = new RootCommand("RealTimeMessageChat load generator: one phase of ./build.sh bench, or its report.")
{
    phase, quick, output, only, apiUrl, tcpPort, redisPort, serverPid, amqpPort, amqpUser, refsBin, refsSkip, refPort, refRedisPort, refRedisPid,
};
root.SetAction((result, cancellationToken) => BenchProgram.RunAsync(
    new BenchOptions
    {
        Phase = result.GetValue(phase)!,
        Quick = result.GetValue(quick),
        OutputDirectory = result.GetValue(output)!,
        Only = result.GetValue(only) ?? [],
        ApiUrl = new Uri(result.GetValue(apiUrl)!),
        TcpPort = result.GetValue(tcpPort),
        RedisPort = result.GetValue(redisPort),
        MainServerPid = result.GetValue(serverPid),
        AmqpPort = result.GetValue(amqpPort),
        AmqpUser = result.GetValue(amqpUser)!,
        AmqpPassword = Environment.GetEnvironmentVariable("RTMC_RABBITMQ_PASSWORD") ?? "guest",
        ReferenceBinaries = result.GetValue(refsBin) ?? string.Empty,
        ReferenceSkipReason = result.GetValue(refsSkip)!,
        ReferencePort = result.GetValue(refPort),
        ReferenceRedisPort = result.GetValue(refRedisPort),
        ReferenceRedisPid = result.GetValue(refRedisPid),
    },
    cancellationToken));
return await root.Parse(args).InvokeAsync();
