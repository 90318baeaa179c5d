using OrleansTenancy.Tenancy.Pricing;

namespace OrleansTenancy.Tenancy.Tests.PricingTests;

public class TokenEstimatorTests
{
    // Published cl100k_base counts (OpenAI Cookbook, "How to count tokens with tiktoken").
    [Theory]
    [InlineData("tiktoken is great!", 6)]
    [InlineData("China is great!", 4)]
    public void Estimate_is_at_least_the_published_count_of_english_samples(string text, int published)
    {
        Assert.InRange(TokenEstimator.EstimateText(text), published, published * 2);
    }

    [Fact]
    public void Chat_estimate_covers_the_published_count_of_the_cookbook_example()
    {
        // The same cookbook counts these six messages (with names) as 129 prompt tokens for gpt-4 / gpt-3.5-turbo-0613.
        PromptMessage[] messages =
        [
            new("system", "You are a helpful, pattern-following assistant that translates corporate jargon into plain English."),
            new("system", "New synergies will help drive top-line growth.", "example_user"),
            new("system", "Things working well together will increase revenue.", "example_assistant"),
            new("system", "Let's circle back when we have more bandwidth to touch base on opportunities for increased leverage.", "example_user"),
            new("system", "Let's talk later when we're less busy about how to do better.", "example_assistant"),
            new("user", "This late pivot means we don't have time to boil the ocean for the client deliverable."),
        ];

        var estimate = TokenEstimator.EstimatePromptTokens(messages);

        Assert.InRange(estimate, 129, 129 * 2);
    }

    [Fact]
    public void Digits_count_in_groups_of_three_like_the_tokenizer()
    {
        // cl100k_base splits numbers into groups of at most three digits: "1234567" is 3 tokens.
        Assert.Equal(3, TokenEstimator.EstimateText("1234567"));
    }

    [Fact]
    public void Dense_code_counts_every_symbol()
    {
        const string code = "for (var i = 0; i < n; i++) { sum += a[i] * b[i]; }";

        // 18 symbols, each counted as one token (no tokenizer splits a symbol finer), plus 12 identifier and number runs.
        var estimate = TokenEstimator.EstimateText(code);
        var symbols = code.Count(c => !char.IsAsciiLetterOrDigit(c) && c != ' ');

        Assert.Equal(18, symbols);
        Assert.Equal(symbols + 12, estimate);
        Assert.True(estimate <= TokenEstimator.Utf8Length(code), $"estimate {estimate} above the byte bound");
    }

    [Theory]
    [InlineData("你好，世界", 10)]          // CJK: 2 per character (reported cl100k_base average is 1–1.5)
    [InlineData("こんにちは", 10)]
    [InlineData("café", 2)]               // "caf" run = 1, "é" (2 UTF-8 bytes) = 1
    [InlineData("😀", 3)]                 // supplementary plane: 4 UTF-8 bytes → 3
    public void Non_ascii_text_counts_utf8_length_minus_one_per_code_point(string text, int expected)
    {
        Assert.Equal(expected, TokenEstimator.EstimateText(text));
        Assert.True(expected <= TokenEstimator.Utf8Length(text));
    }

    [Theory]
    [InlineData("a b", 2)]                // a lone space joins the next word
    [InlineData("a\n\nb", 4)]             // each newline counts
    [InlineData("a        b", 4)]         // an 8-space run counts 2
    [InlineData("", 0)]
    public void White_space_rules(string text, int expected)
    {
        Assert.Equal(expected, TokenEstimator.EstimateText(text));
    }

    [Fact]
    public void Each_message_adds_overhead_and_the_prompt_adds_a_reply_primer()
    {
        var empty = TokenEstimator.EstimatePromptTokens([]);
        var one = TokenEstimator.EstimatePromptTokens([new PromptMessage("user", null)]);
        var named = TokenEstimator.EstimatePromptTokens([new PromptMessage("user", null, "bob")]);

        Assert.Equal(TokenEstimator.ReplyPrimer, empty);
        Assert.Equal(TokenEstimator.ReplyPrimer + TokenEstimator.PerMessageOverhead + 2, one); // "user" = 2
        Assert.Equal(one + 1 + 1, named);                                                       // name marker + "bob"
    }
}
