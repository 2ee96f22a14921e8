namespace RealTimeMessageChat.Protocol.Toolkit;

/// <summary>
/// One decoded C++ toolkit frame: its mode and the data field's bytes in normal order (the wire
/// carries them reversed; the codec undoes that), e.g. UTF-8 JSON for <see cref="ToolkitMode.Message"/>.
/// </summary>
public readonly record struct ToolkitFrame(ToolkitMode Mode, byte[] Data);
