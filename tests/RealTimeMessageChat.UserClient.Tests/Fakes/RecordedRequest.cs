using System.Text.Json.Nodes;

namespace RealTimeMessageChat.UserClient.Tests.Fakes;

internal sealed record RecordedRequest(string Path, string? Authorization, JsonObject? Body);
