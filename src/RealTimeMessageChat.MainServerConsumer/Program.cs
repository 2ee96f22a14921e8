using RealTimeMessageChat.Infrastructure.Configuration;
using RealTimeMessageChat.Infrastructure.Hosting;
using RealTimeMessageChat.Infrastructure.Logging;
using RealTimeMessageChat.Infrastructure.Observability;
using RealTimeMessageChat.MainServerConsumer;

return await RtmcProgram.RunAsync("MainServerConsumer", async () =>
{
    var builder = RtmcProgram.CreateWebApplicationBuilder(args);
    builder.AddRtmcConfiguration("main_server_consumer_configurations.json", args);
    builder.AddRtmcLogging("MainServerConsumer");
    builder.AddMainServerConsumer();

    var app = builder.Build();

    app.MapRtmcHealthAndMetrics();
    await app.RunAsync();
});
