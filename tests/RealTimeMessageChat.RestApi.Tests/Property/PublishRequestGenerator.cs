using System.Globalization;
using System.Text;
using RealTimeMessageChat.Contracts.Validation;

namespace RealTimeMessageChat.RestApi.Tests.Property;

/// <summary>
/// Random <c>POST /publishMessage</c> bodies, written as raw JSON text so every escape is exactly as
/// generated. Each field is left out, given a valid value, or given a hostile one (random Unicode,
/// a length at, just under or just over its limit, a wrong JSON type); the fields given hostile
/// values are recorded, so a 400 can be checked to name only those.
/// </summary>
internal sealed class PublishRequestGenerator(Random random, string sender)
{
    /// <summary>Nesting the API's JSON parser allows (System.Text.Json's default); deeper is malformed JSON.</summary>
    public const int ParserMaxDepth = 64;

    private static readonly string[] Priorities =
        ["0", "1", "2", "3", "4", "-1", "2.0", "1e0", "0.3e1", "1.5", "\"2\"", "null", "2147483647", "2147483648", "-2147483649", "true", "[]", "{}", "3.0000000001", "-0"];

    // Numbers at and past what PostgreSQL numeric holds (131072 digits before the point, 16383 after).
    private static readonly string[] Numbers =
        ["1.5e300", "1e308", "-1e-308", "1e309", "1e-400", "1e-16384", "1e131072", "1e-400000", "1E+2", "-0.0", "0e-99999999", "123456789012345678901234567890", "0." + new string('0', 70) + "1"];

    private readonly JsonTextGenerator _text = new(random);

    public PublishCase Next()
    {
        var hostile = new HashSet<string>(StringComparer.Ordinal);
        var fields = new List<string>();
        var expected = new ExpectedMessage();
        int metadataDepth = 0;

        if (random.Next(10) < 6)
        {
            hostile.Add("content");
            fields.Add("\"content\":" + HostileContent(expected));
        }
        else
        {
            JsonText content = _text.Benign(random.Next(1, 200));
            expected.Content = content.Decoded;
            fields.Add("\"content\":" + content.Json);
        }

        AddOptional(fields, hostile, "sub_id", () => random.Next(2) == 0 ? "\"\"" : "\"room-7\"", () => HostileText(MessageRules.DefaultMaxSubIdLength));
        AddOptional(fields, hostile, "command", () => "\"custom_command\"", () => HostileText(MessageRules.MaxCommandLength));
        AddOptional(fields, hostile, "priority", () => random.Next(1, 4).ToString(CultureInfo.InvariantCulture), () => Priorities[random.Next(Priorities.Length)]);
        AddOptional(fields, hostile, "metadata", () => "{\"client\":\"tests\",\"n\":1}", () => HostileMetadata(out metadataDepth));
        AddOptional(fields, hostile, "message_id", () => $"\"{Guid.NewGuid()}\"", HostileMessageId);
        if (random.Next(10) == 0)
        {
            // The sender named in the body as well: allowed when it is the token's subject.
            fields.Add($"\"{(random.Next(2) == 0 ? "user_id" : "id")}\":\"{sender}\"");
        }

        Shuffle(fields);
        return new PublishCase("{" + string.Join(',', fields) + "}", hostile, metadataDepth, expected);
    }

    private void AddOptional(List<string> fields, HashSet<string> hostile, string name, Func<string> benign, Func<string> hostileValue)
    {
        switch (random.Next(10))
        {
            case < 4:
                return;
            case < 6:
                fields.Add($"\"{name}\":{benign()}");
                return;
            default:
                hostile.Add(name);
                fields.Add($"\"{name}\":{hostileValue()}");
                return;
        }
    }

    private string HostileContent(ExpectedMessage expected)
    {
        JsonText text;
        switch (random.Next(12))
        {
            case 0:
                return WrongType();
            case 1:
            case 2:
            case 3:
                int limit = MessageRules.DefaultMaxContentBytes;
                text = _text.HostileOfUtf8Bytes(random.Next(3) switch { 0 => limit - 1, 1 => limit, _ => limit + 1 });
                break;
            case 4:
                text = _text.HostileOfUtf8Bytes(random.Next(0, 3));
                break;
            default:
                text = _text.Hostile(random.Next(1, 40));
                break;
        }

        expected.Content = text.Decoded;
        return text.Json;
    }

    /// <summary>A string at, under or over <paramref name="limit"/> UTF-16 units, or short and hostile, or not a string.</summary>
    private string HostileText(int limit) => random.Next(8) switch
    {
        0 => WrongType(),
        1 => _text.HostileOfLength(random.Next(3) switch { 0 => limit - 1, 1 => limit, _ => limit + 1 }).Json,
        2 => _text.Benign(random.Next(3) switch { 0 => limit - 1, 1 => limit, _ => limit + 1 }, "abcdefghij-_").Json,
        3 => random.Next(2) == 0 ? "\"\"" : "\" \"",
        _ => _text.Hostile(random.Next(1, 12)).Json,
    };

    private string HostileMessageId()
    {
        var id = Guid.NewGuid();
        string d = id.ToString("D");
        return random.Next(16) switch
        {
            0 => $"\"{d.ToUpperInvariant()}\"",
            1 => $"\"{id:N}\"",
            2 => $"\"{id:B}\"",
            3 => $"\"{id:P}\"",
            4 => $"\"{Guid.Empty}\"",
            5 => "\"\"",
            6 => "\"not-a-uuid\"",
            7 => "null",
            8 => "42",
            9 => $"\" {d}\"",
            10 => $"\"{d} \"",
            11 => $"\"{d}\\u0000\"",
            12 => "\"" + string.Concat(d.Select(c => $"\\u{(int)c:x4}")) + "\"",
            13 => $"\"{d[..^1]}\"",
            14 => $"\"{d}0\"",
            _ => $"\"{d}\"",
        };
    }

    /// <summary>A random JSON value, usually an object, sometimes nested to around the parser's limit.</summary>
    private string HostileMetadata(out int depth)
    {
        if (random.Next(6) == 0)
        {
            depth = 0;
            return WrongType();
        }

        int[] deep = [16, 31, 32, 33, 34, 40, ParserMaxDepth - 3, ParserMaxDepth - 2, ParserMaxDepth - 1, ParserMaxDepth, ParserMaxDepth + 1, 200];
        int target = random.Next(3) == 0 ? deep[random.Next(deep.Length)] : random.Next(1, 5);
        var json = new StringBuilder();
        depth = WriteObject(json, target);
        return json.ToString();
    }

    // Writes an object nested `levels` deep (itself counting as one) and returns the depth written.
    private int WriteObject(StringBuilder json, int levels)
    {
        json.Append('{');
        // The first member nests on, so the depth is exactly as asked; deep chains stay narrow.
        int members = levels > 8 ? 1 : random.Next(levels > 1 ? 1 : 0, 4);
        int deepest = 1;
        for (int i = 0; i < members; i++)
        {
            if (i > 0)
            {
                json.Append(',');
            }

            json.Append(random.Next(8) == 0 ? _text.Hostile(random.Next(1, 6)).Json : _text.Benign(random.Next(1, 8)).Json).Append(':');
            if (i == 0 && levels > 1)
            {
                deepest = 1 + (random.Next(2) == 0 ? WriteObject(json, levels - 1) : WriteArray(json, levels - 1));
            }
            else
            {
                json.Append(Scalar());
            }
        }

        json.Append('}');
        return deepest;
    }

    private int WriteArray(StringBuilder json, int levels)
    {
        json.Append('[');
        int deepest = levels > 1 ? 1 + (random.Next(2) == 0 ? WriteObject(json, levels - 1) : WriteArray(json, levels - 1)) : 1;
        if (levels <= 1)
        {
            json.Append(Scalar());
        }

        json.Append(']');
        return deepest;
    }

    private string Scalar() => random.Next(10) switch
    {
        0 => "null",
        1 => "true",
        2 => random.Next(-1000, 1000).ToString(CultureInfo.InvariantCulture),
        3 => Numbers[random.Next(Numbers.Length)],
        4 => _text.Hostile(random.Next(1, 10)).Json,
        _ => _text.Benign(random.Next(0, 10)).Json,
    };

    private string WrongType() => random.Next(5) switch
    {
        0 => "null",
        1 => "123",
        2 => "true",
        3 => "[\"x\"]",
        _ => "{\"x\":1}",
    };

    private void Shuffle(List<string> items)
    {
        for (int i = items.Count - 1; i > 0; i--)
        {
            int j = random.Next(i + 1);
            (items[i], items[j]) = (items[j], items[i]);
        }
    }
}

/// <summary>One generated request.</summary>
/// <param name="Json">The body as sent.</param>
/// <param name="HostileFields">The fields given a hostile value; a 400 may name only these.</param>
/// <param name="MetadataDepth">How deep the metadata nests (the metadata object itself is 1).</param>
/// <param name="Expected">What the message must carry into the queue when it is accepted.</param>
internal sealed record PublishCase(string Json, IReadOnlySet<string> HostileFields, int MetadataDepth, ExpectedMessage Expected);

/// <summary>The decoded values the request carries, for the byte-for-byte check after a 202.</summary>
internal sealed class ExpectedMessage
{
    /// <summary>The decoded content, or null when it was not a string.</summary>
    public string? Content { get; set; }
}
