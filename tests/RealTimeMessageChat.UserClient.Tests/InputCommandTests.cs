using RealTimeMessageChat.UserClient.Console;

namespace RealTimeMessageChat.UserClient.Tests;

public sealed class InputCommandTests
{
    [Theory]
    [InlineData("", "None", "")]
    [InlineData("   ", "None", "")]
    [InlineData("hello there", "Message", "hello there")]
    [InlineData("/quit", "Quit", "")]
    [InlineData("/QUIT", "Quit", "")]
    [InlineData("/status  busy now ", "Status", "busy now")]
    [InlineData("/nope x", "Unknown", "/nope")]
    [InlineData("//not a command", "Message", "/not a command")]
    public void Parse_Line_GivesKindAndText(string line, string kind, string text)
    {
        Assert.Equal(new InputCommand(Enum.Parse<InputCommandKind>(kind), text), InputCommand.Parse(line));
    }
}
