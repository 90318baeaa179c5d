namespace OrleansTenancy.GrainInterfaces;

/// <summary>
/// Routes LLM calls for cluster clients (a stateless worker, activated on the silo that receives the call): resolve
/// the tenant context, apply its routing policy, reserve the worst case, call upstream, settle.
/// </summary>
/// <remarks>
/// A call that must be cancellable, or streamed, goes through <see cref="IChatCallGrain"/> instead: Orleans delivers a
/// cancellation, and each poll of a stream, to the grain id of the call, and a stateless worker may hand those to
/// another activation of its pool than the one running the call.
/// </remarks>
[Alias("OrleansTenancy.IRouterGrain")]
public interface IRouterGrain : IGrainWithStringKey
{
    /// <summary>The longest a chat call may run before its caller gets a timeout (upstream attempts and fallbacks included).</summary>
    public const string ChatTimeout = "00:05:00";

    /// <summary>
    /// Runs one chat call. Expected refusals (budget, rate limit, policy, upstream errors) come back in
    /// <see cref="ChatAnswer.Refusal"/> with their details rather than as exceptions.
    /// </summary>
    [Alias("Chat")]
    [ResponseTimeout(ChatTimeout)]
    Task<ChatAnswer> ChatAsync(ChatCall chat);
}

/// <summary>One chat call from a cluster client.</summary>
[GenerateSerializer, Immutable, Alias("OrleansTenancy.ChatCall")]
public sealed record ChatCall
{
    /// <summary>The tenant context; absent → the strict/non-strict rule applies (non-strict: <c>default:main</c>).</summary>
    [Id(0)]
    public TenantContext? Context { get; init; }

    /// <summary>Idempotency key; retries of one logical call carry the same id. Generated when absent.</summary>
    [Id(1)]
    public string? RequestId { get; init; }

    /// <summary>The task (selects the tenant's task → model override when <see cref="Model"/> is absent).</summary>
    [Id(2)]
    public string? Task { get; init; }

    /// <summary>The calling agent, recorded in the usage ledger.</summary>
    [Id(3)]
    public string? Agent { get; init; }

    /// <summary>The model; absent or <c>auto</c> → the task's or the tenant's default.</summary>
    [Id(4)]
    public string? Model { get; init; }

    /// <summary>Fallback models, each checked against the budget before it is called.</summary>
    [Id(5)]
    public IReadOnlyList<string>? Fallbacks { get; init; }

    /// <summary>The conversation.</summary>
    [Id(6)]
    public required IReadOnlyList<ChatTurn> Messages { get; init; }

    /// <summary>Largest completion; capped by policy and the model's maximum.</summary>
    [Id(7)]
    public int? MaxTokens { get; init; }

    /// <summary>Sampling temperature.</summary>
    [Id(8)]
    public double? Temperature { get; init; }
}

/// <summary>One message of a conversation.</summary>
/// <param name="Role">system, user or assistant.</param>
/// <param name="Content">The text.</param>
[GenerateSerializer, Immutable, Alias("OrleansTenancy.ChatTurn")]
public sealed record ChatTurn(string Role, string Content);

/// <summary>The outcome of a chat call: the answer and its cost, or a refusal.</summary>
[GenerateSerializer, Immutable, Alias("OrleansTenancy.ChatAnswer")]
public sealed record ChatAnswer
{
    /// <summary>The request id the call was recorded under.</summary>
    [Id(0)]
    public string? RequestId { get; init; }

    /// <summary>The effective tenant context (<c>default:main</c> after a non-strict fallback).</summary>
    [Id(1)]
    public TenantContext? Context { get; init; }

    /// <summary>The model that answered.</summary>
    [Id(2)]
    public string? Model { get; init; }

    /// <summary>The upstream provider, when known.</summary>
    [Id(3)]
    public string? Provider { get; init; }

    /// <summary>The answer text.</summary>
    [Id(4)]
    public string? Text { get; init; }

    /// <summary>Prompt tokens settled.</summary>
    [Id(5)]
    public long PromptTokens { get; init; }

    /// <summary>Completion tokens settled.</summary>
    [Id(6)]
    public long CompletionTokens { get; init; }

    /// <summary>Settled cost in USD.</summary>
    [Id(7)]
    public decimal CostUsd { get; init; }

    /// <summary>The reserved worst case in USD.</summary>
    [Id(8)]
    public decimal EstimatedCostUsd { get; init; }

    /// <summary>Whether the answer came from the response cache.</summary>
    [Id(9)]
    public bool Cached { get; init; }

    /// <summary>Why the call was refused, when it was.</summary>
    [Id(10)]
    public ChatRefusal? Refusal { get; init; }
}

/// <summary>A refused call.</summary>
/// <param name="Code">Machine-readable reason (e.g. <c>budget_exceeded</c>, <c>rate_limited</c>, <c>model_not_allowed</c>).</param>
/// <param name="StatusCode">The HTTP status a gateway would answer with (402 budget, 429 rate, 403 policy, …).</param>
/// <param name="Message">A sentence naming what refused and what to do.</param>
/// <param name="Denial">For budget refusals: the limit, the amount left and the reset time.</param>
/// <param name="RetryAfterSeconds">For rate limits: when to retry.</param>
[GenerateSerializer, Immutable, Alias("OrleansTenancy.ChatRefusal")]
public sealed record ChatRefusal(string Code, int StatusCode, string Message, BudgetDenial? Denial, double? RetryAfterSeconds);
