using System.Text;

namespace OrleansTenancy.Tenancy.Pricing;

/// <summary>One chat message as text, for token estimation.</summary>
/// <param name="Role">The role (<c>system</c>, <c>user</c>, <c>assistant</c>, <c>tool</c>).</param>
/// <param name="Content">The text content; <see langword="null"/> counts as empty.</param>
/// <param name="Name">The optional participant name.</param>
public readonly record struct PromptMessage(string Role, string? Content, string? Name = null);

/// <summary>
/// Estimates prompt tokens without a tokenizer (none restores here), erring high so a worst-case reservation is not
/// too small; settle replaces the estimate with the real usage anyway.
/// </summary>
/// <remarks>
/// <para>Method, per text, scanning characters once and allocating nothing:</para>
/// <list type="bullet">
/// <item>A run of ASCII letters and digits counts <c>ceil(length / 3)</c>. Byte-pair tokenizers such as
/// <c>cl100k_base</c> average about 4 characters per English token and split digits in groups of at most 3, so this
/// is a margin of roughly a third over typical English and exact for numbers.</item>
/// <item>Every other ASCII character (punctuation, symbols) counts 1, as if no punctuation were merged.</item>
/// <item>A single space is free (tokenizers attach it to the next word); longer white-space runs count 1 per newline
/// plus <c>ceil(spaces / 4)</c>.</item>
/// <item>A non-ASCII code point counts its UTF-8 length minus one: 1 for Latin/Cyrillic/Greek letters, 2 for CJK,
/// 3 for emoji and other supplementary characters. Reported <c>cl100k_base</c> figures are about 1–1.5 tokens per
/// CJK character.</item>
/// <item>Each message adds <see cref="PerMessageOverhead"/> (role markers) plus its role and name; every prompt adds
/// <see cref="ReplyPrimer"/>, the tokens that prime the reply (OpenAI's published chat accounting uses 3 and 3).</item>
/// </list>
/// </remarks>
public static class TokenEstimator
{
    /// <summary>Tokens added per message for the role and message delimiters (one more than OpenAI's published 3).</summary>
    public const int PerMessageOverhead = 4;

    /// <summary>Tokens added once per prompt to prime the assistant reply.</summary>
    public const int ReplyPrimer = 3;

    /// <summary>Estimated prompt tokens of a chat request.</summary>
    /// <param name="messages">The messages.</param>
    /// <returns>The estimate.</returns>
    public static long EstimatePromptTokens(IReadOnlyList<PromptMessage> messages)
    {
        ArgumentNullException.ThrowIfNull(messages);
        long total = ReplyPrimer;
        for (var i = 0; i < messages.Count; i++)
        {
            total += EstimateMessage(messages[i]);
        }

        return total;
    }

    /// <summary>Estimated tokens of one message including its overhead.</summary>
    /// <param name="message">The message.</param>
    /// <returns>The estimate.</returns>
    public static long EstimateMessage(PromptMessage message)
    {
        var tokens = PerMessageOverhead + EstimateText(message.Role) + EstimateText(message.Content);
        if (!string.IsNullOrEmpty(message.Name))
        {
            tokens += 1 + EstimateText(message.Name);
        }

        return tokens;
    }

    /// <summary>Estimated tokens of a text (see the class remarks for the method).</summary>
    /// <param name="text">The text.</param>
    /// <returns>The estimate.</returns>
    public static long EstimateText(ReadOnlySpan<char> text)
    {
        long tokens = 0;
        var wordRun = 0;
        var spaceRun = 0;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (char.IsAsciiLetterOrDigit(c))
            {
                wordRun++;
                tokens += FlushSpaces(ref spaceRun);
                continue;
            }

            tokens += FlushWord(ref wordRun);
            if (c == ' ' || c == '\t')
            {
                spaceRun++;
            }
            else if (c == '\n' || c == '\r')
            {
                tokens += FlushSpaces(ref spaceRun) + 1;
            }
            else if (c < 0x80)
            {
                tokens += FlushSpaces(ref spaceRun) + 1;
            }
            else
            {
                tokens += FlushSpaces(ref spaceRun);
                if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
                {
                    i++;
                    tokens += 3; // 4 UTF-8 bytes
                }
                else
                {
                    tokens += (c < 0x800 ? 2 : 3) - 1;
                }
            }
        }

        return tokens + FlushWord(ref wordRun) + FlushSpaces(ref spaceRun);
    }

    /// <summary>Estimated tokens of a text (see the class remarks for the method).</summary>
    /// <param name="text">The text; <see langword="null"/> counts as empty.</param>
    /// <returns>The estimate.</returns>
    public static long EstimateText(string? text) => text is null ? 0 : EstimateText(text.AsSpan());

    /// <summary>The exact UTF-8 length of a text: no byte-level BPE token is shorter than a byte, so it bounds any count.</summary>
    /// <param name="text">The text.</param>
    /// <returns>The byte count.</returns>
    public static int Utf8Length(string text) => Encoding.UTF8.GetByteCount(text);

    private static int FlushWord(ref int run)
    {
        var tokens = (run + 2) / 3;
        run = 0;
        return tokens;
    }

    private static int FlushSpaces(ref int run)
    {
        // A lone space joins the next word token; longer runs (indentation) cost about one token per four.
        var tokens = run <= 1 ? 0 : (run + 3) / 4;
        run = 0;
        return tokens;
    }
}
