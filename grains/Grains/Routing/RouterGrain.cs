using Orleans.Concurrency;
using OrleansTenancy.GrainInterfaces;
using OrleansTenancy.Grains.Mapping;
using OrleansTenancy.OpenRouter.Wire;

namespace OrleansTenancy.Grains.Routing;

/// <summary>The cluster-facing router: a stateless worker that maps <see cref="ChatCall"/> onto <see cref="ILlmRouter"/>.</summary>
[StatelessWorker]
[GrainType("router")]
public sealed class RouterGrain(ILlmRouter router) : Grain, IRouterGrain
{
    /// <inheritdoc />
    public async Task<ChatAnswer> ChatAsync(ChatCall chat)
    {
        ArgumentNullException.ThrowIfNull(chat);
        var request = new RouteRequest
        {
            Context = chat.Context?.ToDomain(),
            RequestId = chat.RequestId,
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

        try
        {
            var result = await router.CompleteAsync(request);
            return new ChatAnswer
            {
                RequestId = result.RequestId,
                Context = result.Context.ToWire(),
                Model = result.Model,
                Provider = result.Provider,
                Text = result.Response is { Choices.Count: > 0 } response ? response.Choices[0].Message?.Content?.GetText() : null,
                PromptTokens = result.PromptTokens,
                CompletionTokens = result.CompletionTokens,
                CostUsd = result.CostUsd,
                EstimatedCostUsd = result.EstimatedCostUsd,
                Cached = result.Cached,
            };
        }
        catch (RouteRefusedException refused)
        {
            return new ChatAnswer
            {
                RequestId = chat.RequestId,
                Context = refused.Context?.ToWire(),
                Refusal = new ChatRefusal(refused.Code, refused.StatusCode, refused.Message, refused.Denial, refused.RetryAfter?.TotalSeconds),
            };
        }
    }
}
