using System.Text.Json.Serialization;
using RealTimeMessageChat.Contracts.Http;
using RealTimeMessageChat.Contracts.Messaging;
using RealTimeMessageChat.Contracts.Tcp;

namespace RealTimeMessageChat.Contracts;

/// <summary>
/// Source-generated JSON for every wire type. snake_case names as the original system spells them;
/// nulls are left out so optional fields (<c>error</c>, <c>last_seq</c>) appear only when set.
/// </summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(QueuedMessage))]
[JsonSerializable(typeof(ConnectRequest))]
[JsonSerializable(typeof(ConnectResponse))]
[JsonSerializable(typeof(StatusUpdateRequest))]
[JsonSerializable(typeof(StatusUpdateResponse))]
[JsonSerializable(typeof(BroadcastFrame))]
[JsonSerializable(typeof(CommandFrame))]
[JsonSerializable(typeof(ErrorFrame))]
[JsonSerializable(typeof(RecoveryFrame))]
[JsonSerializable(typeof(RoomCommandRequest))]
[JsonSerializable(typeof(RoomReply))]
[JsonSerializable(typeof(RoomLeftFrame))]
[JsonSerializable(typeof(TypingFrame))]
[JsonSerializable(typeof(RegisterRequest))]
[JsonSerializable(typeof(RegisterResponse))]
[JsonSerializable(typeof(LoginRequest))]
[JsonSerializable(typeof(LoginResponse))]
[JsonSerializable(typeof(PublishRequest))]
[JsonSerializable(typeof(PublishResponse))]
[JsonSerializable(typeof(UserStatusFrame))]
[JsonSerializable(typeof(UserStatusResponse))]
[JsonSerializable(typeof(OnlineUsersResponse))]
[JsonSerializable(typeof(SessionsResponse))]
[JsonSerializable(typeof(ModerationRequest))]
[JsonSerializable(typeof(AdminUsersResponse))]
[JsonSerializable(typeof(CreateRoomRequest))]
[JsonSerializable(typeof(RoomResponse))]
[JsonSerializable(typeof(RoomsResponse))]
[JsonSerializable(typeof(AddMemberRequest))]
[JsonSerializable(typeof(RoomMembershipResponse))]
[JsonSerializable(typeof(RoomMembersResponse))]
[JsonSerializable(typeof(RoomReadsResponse))]
[JsonSerializable(typeof(DirectMessageRequest))]
[JsonSerializable(typeof(DirectMessageResponse))]
public sealed partial class ContractsJsonContext : JsonSerializerContext;
