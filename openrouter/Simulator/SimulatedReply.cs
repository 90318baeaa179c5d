using OrleansTenancy.OpenRouter.Wire;

namespace OrleansTenancy.OpenRouter.Simulator;

/// <summary>The deterministic answer the simulator gives: text, token counts and cost.</summary>
internal sealed record SimulatedReply(string Text, string FinishReason, ChatUsage Usage, int Choices = 1)
{
    private const int CharsPerToken = 4;
    private const int SummaryChars = 60;

    public static SimulatedReply Create(ChatCompletionRequest request, string model, SimulatedModel? prices, SimulatorKnobs knobs)
    {
        var promptChars = 0;
        string? lastUser = null;
        foreach (var message in request.Messages)
        {
            var text = message.Content?.GetText() ?? "";
            promptChars += text.Length;
            if (message.Role == "user")
            {
                lastUser = text;
            }
        }

        var summary = lastUser is null ? "" : lastUser.Length <= SummaryChars ? lastUser : lastUser[..SummaryChars] + "...";
        var reply = $"Simulated reply from {model} to: \"{summary}\"";
        var finish = "stop";
        int completionTokens;
        if (knobs.CompletionTokens is { } forced)
        {
            completionTokens = forced;
        }
        else
        {
            completionTokens = Tokens(reply.Length);

            // As OpenAI's API does, max_completion_tokens wins over max_tokens when both are sent.
            if ((request.MaxCompletionTokens ?? request.MaxTokens) is { } max and > 0 && completionTokens > max)
            {
                // Like a real model hitting its limit: the text is cut and the finish reason says why.
                completionTokens = max;
                reply = reply[..Math.Min(reply.Length, max * CharsPerToken)];
                finish = "length";
            }
        }

        // Every one of n choices is generated and billed; the prompt is billed once.
        var choices = Math.Max(1, request.N ?? 1);
        completionTokens *= choices;
        var promptTokens = knobs.PromptTokens ?? Tokens(promptChars);
        var cost = knobs.Cost
            ?? (prices is null ? 0m : (promptTokens * prices.PromptPerToken) + (completionTokens * prices.CompletionPerToken));
        var usage = new ChatUsage
        {
            PromptTokens = promptTokens,
            CompletionTokens = completionTokens,
            TotalTokens = promptTokens + completionTokens,
            Cost = cost,
            IsByok = false,
            PromptTokensDetails = new PromptTokensDetails { CachedTokens = 0 },
            CompletionTokensDetails = new CompletionTokensDetails { ReasoningTokens = 0 },
        };
        return new SimulatedReply(reply, finish, usage, choices);
    }

    /// <summary>Splits the text into at most <paramref name="count"/> consecutive pieces.</summary>
    public IReadOnlyList<string> Split(int count)
    {
        count = Math.Clamp(count, 1, Math.Max(1, Text.Length));
        var size = (Text.Length + count - 1) / count;
        var pieces = new List<string>(count);
        for (var start = 0; start < Text.Length; start += size)
        {
            pieces.Add(Text.Substring(start, Math.Min(size, Text.Length - start)));
        }

        return pieces;
    }

    private static int Tokens(int chars) => Math.Max(1, (chars + CharsPerToken - 1) / CharsPerToken);
}
