using System.Runtime.CompilerServices;
using System.Text;
using OrleansTenancy.GrainInterfaces;

namespace OrleansTenancy.Client;

/// <summary>
/// The one way this client runs a chat call, plain or streamed, through a call grain of its own (so the cluster's
/// router applies policy, reservation, settlement, ledger and metrics): for a workspace, or with no context at all,
/// which leaves the tenant to the cluster's strict/non-strict rule.
/// </summary>
internal static class ChatCalls
{
    public static ChatCall Build(TenantContext? context, IReadOnlyList<ChatTurn> messages, ChatOptions? options)
    {
        ArgumentNullException.ThrowIfNull(messages);
        if (messages.Count == 0)
        {
            throw new ArgumentException("A chat call needs at least one message.", nameof(messages));
        }

        return new ChatCall
        {
            Context = context,
            RequestId = options?.RequestId ?? RequestIds.New(TimeProvider.System),
            Task = options?.Task,
            Agent = options?.Agent,
            Model = options?.Model,
            Fallbacks = options?.Fallbacks,
            Messages = messages,
            MaxTokens = options?.MaxTokens,
            Temperature = options?.Temperature,
        };
    }

    public static async Task<ChatResult> RunAsync(TenancyClient client, ChatCall call, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(client.Options.ChatTimeout);
        ChatAnswer answer;
        try
        {
            answer = await client.Cluster.GetGrain<IChatCallGrain>(call.RequestId!).ChatAsync(call, deadline.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException(
                $"Chat call '{call.RequestId}' for {Describe(call.Context)} did not finish within {TenancyClientOptions.SectionName}:ChatTimeout ({client.Options.ChatTimeout}); it was cancelled on the silo, which settles what upstream may have charged, and is not sent again.");
        }

        if (answer.Refusal is { } refusal)
        {
            throw Refusals.ToException(refusal, answer.RequestId ?? call.RequestId, answer.Context ?? call.Context);
        }

        return ChatResult.From(answer, call.Context, answer.Text ?? string.Empty);
    }

    public static async IAsyncEnumerable<ChatStreamUpdate> StreamAsync(
        TenancyClient client, ChatCall call, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var text = new StringBuilder();
        await foreach (var part in client.Cluster.GetGrain<IChatCallGrain>(call.RequestId!).StreamAsync(call, cancellationToken))
        {
            if (part.Final is { } final)
            {
                if (final.Refusal is { } refusal)
                {
                    throw Refusals.ToException(refusal, final.RequestId ?? call.RequestId, final.Context ?? call.Context);
                }

                yield return new ChatStreamUpdate { Completion = ChatResult.From(final, call.Context, text.ToString()) };
                yield break;
            }

            text.Append(part.Text);
            yield return new ChatStreamUpdate { Text = part.Text ?? string.Empty, FinishReason = part.FinishReason };
        }

        throw new InvalidOperationException($"The stream of request '{call.RequestId}' for {Describe(call.Context)} ended without its outcome; the silo that ran it may have stopped.");
    }

    public static ChatTurn[] Prompt(string prompt)
    {
        ArgumentException.ThrowIfNullOrEmpty(prompt);
        return [new ChatTurn("user", prompt)];
    }

    private static string Describe(TenantContext? context) => context?.ToString() ?? "no tenant (the cluster's strict/non-strict rule)";
}
