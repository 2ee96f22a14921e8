using System.Buffers;
using System.Text.Json;
using RealTimeMessageChat.Contracts;
using RealTimeMessageChat.Contracts.Messaging;
using RealTimeMessageChat.Contracts.Tcp;
using RealTimeMessageChat.Protocol.Toolkit;

namespace RealTimeMessageChat.MainServer.Networking;

/// <summary>A client frame parsed into owned values, so it outlives the pipe buffer it came from.</summary>
internal readonly record struct InboundFrame(string Command, ConnectRequest? Connect, StatusUpdateRequest? Status, ToolkitConnect? Toolkit = null, RoomCommandRequest? Room = null)
{
    /// <summary>Throws <see cref="TcpFrameException"/> (message safe for the client) for a payload that is not a valid frame.</summary>
    public static InboundFrame Parse(ReadOnlySequence<byte> payload)
    {
        using JsonDocument document = TcpFrameJson.Parse(payload, out string command);
        try
        {
            return command switch
            {
                ChatCommands.Connection => new InboundFrame(command, document.RootElement.Deserialize(ContractsJsonContext.Default.ConnectRequest), null),
                ChatCommands.RequestClientStatusUpdate => new InboundFrame(command, null, document.RootElement.Deserialize(ContractsJsonContext.Default.StatusUpdateRequest)),
                ChatCommands.Join or ChatCommands.Leave or ChatCommands.Typing or ChatCommands.Read =>
                    new InboundFrame(command, null, null, Room: document.RootElement.Deserialize(ContractsJsonContext.Default.RoomCommandRequest)),
                _ => new InboundFrame(command, null, null),
            };
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException)
        {
            // InvalidOperationException: a string field escapes a lone surrogate ("\ud800"). The
            // serializer's own message names .NET types and byte positions: the client gets the field.
            throw new TcpFrameException($"Invalid \"{command}\" frame: {Describe(ex)}", ex);
        }
    }

    private static string Describe(Exception ex) =>
        ex is JsonException { Path: { Length: > 2 } path } && path.StartsWith("$.", StringComparison.Ordinal)
            ? $"field '{path[2..]}' has the wrong type or value"
            : ex is InvalidOperationException ? "a string holds an invalid escape" : "not a valid JSON object for this command";

    /// <summary>
    /// A C++ toolkit frame (shared/legacy-toolkit/WIRE.md): a Connection frame is the handshake
    /// (<c>id</c>, <c>sub_id</c>, <c>registered_key</c>, no command); a Message frame is either the
    /// plain string <c>heartbeat:ping</c>/<c>heartbeat:pong</c> or JSON with a <c>command</c>.
    /// </summary>
    public static InboundFrame ParseToolkit(ToolkitMode mode, ReadOnlySequence<byte> data)
    {
        switch (mode)
        {
            case ToolkitMode.Connection:
                return new InboundFrame(ChatCommands.Connection, null, null, ParseToolkitConnect(data));
            case ToolkitMode.Message:
                ReadOnlySpan<byte> first = data.FirstSpan;
                if (first.StartsWith(ToolkitMessages.HeartbeatPongUtf8))
                {
                    return new InboundFrame(ChatCommands.HeartbeatPong, null, null);
                }

                if (first.StartsWith(ToolkitMessages.HeartbeatPingUtf8))
                {
                    return new InboundFrame(ChatCommands.HeartbeatPing, null, null);
                }

                return Parse(data);
            default:
                throw new TcpFrameException($"Toolkit frames of mode {mode} are not accepted.");
        }
    }

    private static ToolkitConnect ParseToolkitConnect(ReadOnlySequence<byte> data)
    {
        try
        {
            var reader = new Utf8JsonReader(data);
            using JsonDocument document = JsonDocument.ParseValue(ref reader);
            JsonElement root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw new TcpFrameException("Toolkit connection frame must hold one JSON object.");
            }

            return new ToolkitConnect(Text(root, "id"), Text(root, "sub_id"), Text(root, "registered_key"));
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException)
        {
            throw new TcpFrameException($"Invalid toolkit connection frame: {ex.Message}", ex);
        }
    }

    private static string Text(JsonElement root, string name) =>
        root.TryGetProperty(name, out JsonElement value) && value.ValueKind == JsonValueKind.String ? value.GetString()! : string.Empty;
}

/// <summary>The handshake of a C++ toolkit client: its title, its previous session (or ""), the shared key.</summary>
internal sealed record ToolkitConnect(string Id, string SubId, string RegisteredKey);
