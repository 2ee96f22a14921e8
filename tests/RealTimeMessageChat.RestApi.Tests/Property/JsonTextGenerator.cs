using System.Globalization;
using System.Text;

namespace RealTimeMessageChat.RestApi.Tests.Property;

/// <summary>
/// Random JSON string literals over all of Unicode, written as the raw JSON text a client would send
/// (each character either as UTF-8 or as a <c>\u</c> escape) together with the text they decode to.
/// Covers C0/C1 controls, U+0000, lone and paired surrogates (escapes only: they have no UTF-8 form),
/// noncharacters, format characters and the astral planes.
/// </summary>
internal sealed class JsonTextGenerator(Random random)
{
    // Half the literals keep to text every rule allows (no U+0000, no lone surrogate), so that many
    // requests are accepted and reach the consumer's check; the other half may hold anything.
    private bool _legalOnly;

    private static readonly int[] Noncharacters = [0xFFFE, 0xFFFF, 0xFDD0, 0xFDEF, 0x1FFFE, 0x1FFFF, 0x10FFFE, 0x10FFFF];

    // BOM, ZWJ, ZWNJ, LRM, RLM, RLO, PDF, line and paragraph separators, combining acute, Arabic, CJK, Hangul, emoji.
    private static readonly int[] Specials = [0xFEFF, 0x200D, 0x200C, 0x200E, 0x200F, 0x202E, 0x202C, 0x2028, 0x2029, 0x0301, 0x0627, 0x4E2D, 0xAC00, 0x1F600, 0x1F468];

    /// <summary>A literal of about <paramref name="units"/> random characters, mostly hostile.</summary>
    public JsonText Hostile(int units)
    {
        _legalOnly = random.Next(2) == 0;
        var text = new JsonTextBuilder();
        for (int i = 0; i < units; i++)
        {
            AppendHostileUnit(text);
        }

        return text.Build();
    }

    /// <summary>
    /// A literal whose decoded text is exactly <paramref name="utf8Bytes"/> bytes of UTF-8 (when it
    /// decodes at all), built of random characters and padded with ASCII.
    /// </summary>
    public JsonText HostileOfUtf8Bytes(int utf8Bytes)
    {
        _legalOnly = random.Next(2) == 0;
        var text = new JsonTextBuilder();
        while (text.Utf8Bytes + 4 < utf8Bytes && random.Next(8) != 0)
        {
            AppendHostileUnit(text);
        }

        while (text.Utf8Bytes < utf8Bytes)
        {
            text.AppendRaw('a');
        }

        return text.Build();
    }

    /// <summary>A literal of exactly <paramref name="length"/> UTF-16 units (when it decodes), hostile units mixed in.</summary>
    public JsonText HostileOfLength(int length)
    {
        _legalOnly = random.Next(2) == 0;
        var text = new JsonTextBuilder();
        while (text.Utf16Length + 2 < length && random.Next(4) != 0)
        {
            AppendHostileUnit(text);
        }

        while (text.Utf16Length < length)
        {
            text.AppendRaw((char)random.Next('a', 'z' + 1));
        }

        return text.Build();
    }

    /// <summary>Printable ASCII (never a control, quote or backslash unescaped) of the given length.</summary>
    public JsonText Benign(int length, string alphabet = "abcdefghijklmnopqrstuvwxyz0123456789 _-.")
    {
        var text = new JsonTextBuilder();
        for (int i = 0; i < length; i++)
        {
            text.AppendRaw(alphabet[random.Next(alphabet.Length)]);
        }

        return text.Build();
    }

    private void AppendHostileUnit(JsonTextBuilder text)
    {
        int kind = random.Next(14);
        if (_legalOnly && kind is 2 or 3 or 4)
        {
            kind = 6;
        }

        switch (kind)
        {
            case 0: // C0 control, U+0000 included: escapes only (raw controls are not valid JSON)
                int control = _legalOnly ? random.Next(1, 0x20) : random.Next(4) == 0 ? 0 : random.Next(0x20);
                text.AppendEscaped(control, shortForm: random.Next(2) == 0);
                break;
            case 1: // C1 control and DEL
                AppendScalar(text, random.Next(3) == 0 ? 0x7F : random.Next(0x80, 0xA0));
                break;
            case 2: // lone high surrogate
                text.AppendEscapedUnit(random.Next(0xD800, 0xDC00));
                break;
            case 3: // lone low surrogate
                text.AppendEscapedUnit(random.Next(0xDC00, 0xE000));
                break;
            case 4: // a pair in the wrong order
                text.AppendEscapedUnit(random.Next(0xDC00, 0xE000));
                text.AppendEscapedUnit(random.Next(0xD800, 0xDC00));
                break;
            case 5: // noncharacters
                AppendScalar(text, Noncharacters[random.Next(Noncharacters.Length)]);
                break;
            case 6: // astral plane: emitted as UTF-8 or as a surrogate-pair escape
                AppendScalar(text, random.Next(0x10000, 0x110000));
                break;
            case 7: // any BMP scalar
                int bmp = random.Next(0xA0, 0x10000);
                AppendScalar(text, bmp is >= 0xD800 and < 0xE000 ? 0xE000 + (bmp & 0xFF) : bmp);
                break;
            case 8: // format, bidi and combining characters, CJK, emoji
                AppendScalar(text, Specials[random.Next(Specials.Length)]);
                break;
            case 9: // the characters JSON must escape, and the HTML-sensitive ones
                int special = "\"\\/<>&'+`"[random.Next(9)];
                if (special is '"' or '\\')
                {
                    text.AppendEscaped(special, shortForm: random.Next(2) == 0);
                }
                else
                {
                    AppendScalar(text, special);
                }

                break;
            case 10: // text that looks like an escape once decoded: "\u0000" spelled with an escaped backslash
                text.AppendEscaped('\\', shortForm: true);
                foreach (char c in "u0000")
                {
                    text.AppendRaw(c);
                }

                break;
            default: // printable ASCII
                char ascii = (char)random.Next(0x20, 0x7F);
                text.AppendRaw(ascii is '"' or '\\' ? 'q' : ascii);
                break;
        }
    }

    private void AppendScalar(JsonTextBuilder text, int scalar)
    {
        if (random.Next(3) == 0)
        {
            text.AppendEscaped(scalar, shortForm: false);
        }
        else
        {
            text.AppendRawScalar(scalar);
        }
    }
}

/// <summary>A JSON string literal: its raw text (quotes included) and what it decodes to.</summary>
/// <param name="Json">The literal as sent.</param>
/// <param name="Decoded">The decoded UTF-16 text; may hold lone surrogates, which no parser accepts.</param>
internal sealed record JsonText(string Json, string Decoded)
{
    /// <summary>False when the escapes leave a lone surrogate: a JSON parser refuses the string.</summary>
    public bool Decodes => !HasLoneSurrogate(Decoded);

    public int Utf8Bytes => Encoding.UTF8.GetByteCount(Decoded);

    private static bool HasLoneSurrogate(string s)
    {
        for (int i = 0; i < s.Length; i++)
        {
            if (char.IsHighSurrogate(s[i]) && i + 1 < s.Length && char.IsLowSurrogate(s[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(s[i]))
            {
                return true;
            }
        }

        return false;
    }
}

/// <summary>Builds a literal while counting the decoded text's UTF-16 length and UTF-8 size.</summary>
internal sealed class JsonTextBuilder
{
    private readonly StringBuilder _json = new("\"");
    private readonly StringBuilder _decoded = new();

    public int Utf16Length => _decoded.Length;

    public int Utf8Bytes { get; private set; }

    public void AppendRaw(char c)
    {
        _json.Append(c);
        Add(c.ToString());
    }

    public void AppendRawScalar(int scalar)
    {
        string s = char.ConvertFromUtf32(scalar);
        _json.Append(s);
        Add(s);
    }

    /// <summary>An escape of a scalar value: <c>\n</c>-style when asked and one exists, else <c>\uXXXX</c> (a pair above the BMP).</summary>
    public void AppendEscaped(int scalar, bool shortForm)
    {
        string? shortEscape = shortForm ? scalar switch
        {
            '\b' => "\\b",
            '\f' => "\\f",
            '\n' => "\\n",
            '\r' => "\\r",
            '\t' => "\\t",
            '"' => "\\\"",
            '\\' => "\\\\",
            '/' => "\\/",
            _ => null,
        } : null;
        string s = char.ConvertFromUtf32(scalar);
        if (shortEscape is not null)
        {
            _json.Append(shortEscape);
        }
        else
        {
            foreach (char unit in s)
            {
                AppendUnitEscape(unit);
            }
        }

        Add(s);
    }

    /// <summary>One UTF-16 unit as <c>\uXXXX</c>, surrogate halves included.</summary>
    public void AppendEscapedUnit(int unit)
    {
        // Alone, a surrogate counts as U+FFFD (3 bytes); a low one completing the high one before it
        // turns the two into one 4-byte scalar.
        bool completesPair = char.IsLowSurrogate((char)unit) && _decoded.Length > 0 && char.IsHighSurrogate(_decoded[^1]);
        AppendUnitEscape((char)unit);
        _decoded.Append((char)unit);
        Utf8Bytes += completesPair ? 1 : 3;
    }

    public JsonText Build() => new(_json.ToString() + "\"", _decoded.ToString());

    private void AppendUnitEscape(char unit) =>
        _json.Append("\\u").Append(((int)unit).ToString(unit % 2 == 0 ? "x4" : "X4", CultureInfo.InvariantCulture));

    private void Add(string s)
    {
        _decoded.Append(s);
        Utf8Bytes += Encoding.UTF8.GetByteCount(s);
    }
}
