using OrleansTenancy.OpenRouter.Wire;
using OrleansTenancy.Tenancy;

namespace OrleansTenancy.Grains.Routing;

/// <summary>
/// The money path of one LLM call: effective tenant context → routing policy → estimate → reserve in the
/// tenant's budget → call upstream → settle (or release) → ledger → metrics.
/// </summary>
public interface ILlmRouter
{
    /// <summary>Runs a non-streaming call.</summary>
    /// <exception cref="RouteRefusedException">The call was refused before or by upstream (budget, rate, policy, upstream error).</exception>
    Task<RouteResult> CompleteAsync(RouteRequest request, CancellationToken cancellationToken = default);

    /// <summary>
    /// Runs a streaming call, handing each chunk to <paramref name="onChunk"/> as it arrives. The usage of a stream that
    /// breaks or is cancelled after output started is still settled (at least the prompt).
    /// </summary>
    /// <exception cref="RouteRefusedException">The call was refused before any chunk was handed over, or upstream failed.</exception>
    Task<RouteResult> StreamAsync(RouteRequest request, Func<ChatCompletionChunk, CancellationToken, ValueTask> onChunk, CancellationToken cancellationToken = default);
}

/// <summary>One call to route.</summary>
public sealed record RouteRequest
{
    /// <summary>The caller's tenant context; when absent the ambient one is used, then the strict/non-strict rule.</summary>
    public TenantContext? Context { get; init; }

    /// <summary>
    /// Idempotency key: retries of one logical call carry the same id. Generated when absent. While a call with the id
    /// is in flight a duplicate never reaches upstream (it waits for that call's answer on the same silo, or is refused
    /// as in progress); an id that was settled is finished; an id whose call failed before any charge may be retried.
    /// </summary>
    public string? RequestId { get; init; }

    /// <summary>
    /// Whether <see cref="RequestId"/> was made up for this call (by a gateway, say) rather than sent by its caller: no
    /// earlier call can have used it, so nothing is looked up for it.
    /// </summary>
    public bool GeneratedRequestId { get; init; }

    /// <summary>The task the call is for (selects the tenant's task → model override when no model is given).</summary>
    public string? Task { get; init; }

    /// <summary>The agent making the call (recorded in the ledger).</summary>
    public string? Agent { get; init; }

    /// <summary>
    /// The OpenAI-compatible request body. <c>model</c> may be empty or <c>auto</c> to use the task's or the tenant's
    /// default model; <c>models</c> lists fallbacks, each re-checked against the budget before it is called.
    /// </summary>
    public required ChatCompletionRequest Body { get; init; }

    /// <summary>
    /// Opt-in per request (the tenant's <c>downshift</c> policy also turns it on): when the worst case of the chosen
    /// model exceeds <c>max_per_request</c>, use the cheapest allowed model that fits.
    /// </summary>
    public bool? Downshift { get; init; }
}

/// <summary>What a routed call produced and cost.</summary>
public sealed record RouteResult
{
    /// <summary>The request id the call was reserved and recorded under.</summary>
    public required string RequestId { get; init; }

    /// <summary>The effective tenant context.</summary>
    public required TenantContext Context { get; init; }

    /// <summary>Whether the context fell back to <c>default:main</c> (non-strict mode, no context given).</summary>
    public bool FellBack { get; init; }

    /// <summary>The model that produced the answer.</summary>
    public required string Model { get; init; }

    /// <summary>The upstream provider that served it, when known.</summary>
    public string? Provider { get; init; }

    /// <summary>The response (non-streaming calls and cache hits).</summary>
    public ChatCompletionResponse? Response { get; init; }

    /// <summary>Prompt tokens settled.</summary>
    public long PromptTokens { get; init; }

    /// <summary>Completion tokens settled.</summary>
    public long CompletionTokens { get; init; }

    /// <summary>The settled cost in USD (upstream's <c>usage.cost</c>, else tokens × price; zero for a cache hit).</summary>
    public decimal CostUsd { get; init; }

    /// <summary>The worst-case cost that was reserved.</summary>
    public decimal EstimatedCostUsd { get; init; }

    /// <summary>Whether the answer came from the workspace's response cache.</summary>
    public bool Cached { get; init; }

    /// <summary>How the call ended: <c>ok</c>, or <c>cancelled</c> / <c>error</c> for a stream that broke after output started.</summary>
    public string Status { get; init; } = "ok";
}
