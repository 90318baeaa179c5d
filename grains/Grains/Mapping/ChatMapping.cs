using OrleansTenancy.GrainInterfaces;
using OrleansTenancy.Grains.Routing;
using OrleansTenancy.OpenRouter.Wire;

namespace OrleansTenancy.Grains.Mapping;

/// <summary>Maps chat calls of the grain contract onto the router and its outcomes back (plain and streamed alike).</summary>
public static class ChatMapping
{
    /// <summary>Runs a contract call through the router: its answer, or its refusal as the contract carries it.</summary>
    /// <param name="router">The router.</param>
    /// <param name="chat">The call.</param>
    /// <param name="requestId">The request id to route under.</param>
    /// <param name="cancellationToken">Cancels the call; the router settles what may have been consumed.</param>
    public static async Task<ChatAnswer> AnswerAsync(this ILlmRouter router, ChatCall chat, string? requestId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(router);
        ArgumentNullException.ThrowIfNull(chat);
        try
        {
            var result = await router.CompleteAsync(chat.ToRoute(requestId), cancellationToken);
            return result.ToAnswer(TextOf(result.Response));
        }
        catch (RouteRefusedException refused)
        {
            return refused.ToAnswer(requestId);
        }
    }

    /// <summary>The router's request for a contract call.</summary>
    /// <param name="chat">The call.</param>
    /// <param name="requestId">The request id to route under (the call's own, else one the caller chose).</param>
    public static RouteRequest ToRoute(this ChatCall chat, string? requestId)
    {
        ArgumentNullException.ThrowIfNull(chat);
        return new RouteRequest
        {
            Context = chat.Context?.ToDomain(),
            RequestId = requestId,
            Task = chat.Task,
            Agent = chat.Agent,
            Body = new ChatCompletionRequest
            {
                Model = chat.Model,
                Models = chat.Fallbacks,
                Messages = [.. chat.Messages.Select(m => ChatMessage.Create(m.Role, m.Content))],
                MaxTokens = chat.MaxTokens,
                Temperature = chat.Temperature,
            },
        };
    }

    /// <summary>A routed call's outcome as the contract carries it.</summary>
    /// <param name="result">The router's result.</param>
    /// <param name="text">The answer text (not repeated on the last part of a stream).</param>
    public static ChatAnswer ToAnswer(this RouteResult result, string? text)
    {
        ArgumentNullException.ThrowIfNull(result);
        return new ChatAnswer
        {
            RequestId = result.RequestId,
            Context = result.Context.ToWire(),
            Model = result.Model,
            Provider = result.Provider,
            Text = text,
            PromptTokens = result.PromptTokens,
            CompletionTokens = result.CompletionTokens,
            CostUsd = result.CostUsd,
            EstimatedCostUsd = result.EstimatedCostUsd,
            Cached = result.Cached,
        };
    }

    /// <summary>A refusal as the contract carries it.</summary>
    public static ChatAnswer ToAnswer(this RouteRefusedException refused, string? requestId)
    {
        ArgumentNullException.ThrowIfNull(refused);
        return new ChatAnswer
        {
            RequestId = requestId,
            Context = refused.Context?.ToWire(),
            Refusal = new ChatRefusal(refused.Code, refused.StatusCode, refused.Message, refused.Denial, refused.RetryAfter?.TotalSeconds),
        };
    }

    /// <summary>The text of a whole (non-streamed) response: its first choice's message.</summary>
    public static string? TextOf(ChatCompletionResponse? response) =>
        response is { Choices.Count: > 0 } ? response.Choices[0].Message?.Content?.GetText() : null;
}
