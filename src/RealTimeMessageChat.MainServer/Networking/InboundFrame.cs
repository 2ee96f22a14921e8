using System.Buffers;
using System.Text.Json;
using RealTimeMessageChat.Contracts;
using RealTimeMessageChat.Contracts.Messaging;
using RealTimeMessageChat.Contracts.Tcp;

namespace RealTimeMessageChat.MainServer.Networking;

/// <summary>A client frame parsed into owned values, so it outlives the pipe buffer it came from.</summary>
internal readonly record struct InboundFrame(string Command, ConnectRequest? Connect, StatusUpdateRequest? Status)
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
                _ => new InboundFrame(command, null, null),
            };
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException)
        {
            // InvalidOperationException: a string field escapes a lone surrogate ("\ud800").
            throw new TcpFrameException($"Invalid \"{command}\" frame: {ex.Message}", ex);
        }
    }
}
