using System.Text;

namespace RealTimeMessageChat.UserClient.Console;

/// <summary>Asks for the password on the terminal without echoing it.</summary>
internal static class PasswordPrompt
{
    /// <summary>Null when stdin is not a terminal (nobody to ask) or input ended.</summary>
    public static string? Read(string userId)
    {
        if (System.Console.IsInputRedirected)
        {
            return null;
        }

        System.Console.Error.Write($"Password for {userId}: ");
        var password = new StringBuilder();
        while (true)
        {
            ConsoleKeyInfo key = System.Console.ReadKey(intercept: true);
            switch (key.Key)
            {
                case ConsoleKey.Enter:
                    System.Console.Error.WriteLine();
                    return password.ToString();
                case ConsoleKey.Backspace:
                    if (password.Length > 0)
                    {
                        password.Length--;
                    }

                    break;
                default:
                    if (key.KeyChar == '\u0004' && password.Length == 0)
                    {
                        System.Console.Error.WriteLine();
                        return null;
                    }

                    if (!char.IsControl(key.KeyChar))
                    {
                        password.Append(key.KeyChar);
                    }

                    break;
            }
        }
    }
}
