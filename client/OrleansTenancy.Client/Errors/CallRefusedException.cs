using OrleansTenancy.GrainInterfaces;

namespace OrleansTenancy.Client;

/// <summary>
/// The cluster refused a chat call: a policy (model not allowed, tenant suspended), the request itself, or upstream.
/// <see cref="Code"/> says which; budget and rate refusals have types of their own. A refused call cost nothing
/// unless upstream had already answered part of it (then its usage was settled, never zero).
/// </summary>
public class CallRefusedException : Exception
{
    /// <summary>Creates the exception with a generic message.</summary>
    public CallRefusedException()
        : this("The call was refused.")
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public CallRefusedException(string message)
        : base(message)
    {
        Code = "refused";
    }

    /// <summary>Creates the exception with a message and the exception that caused it.</summary>
    public CallRefusedException(string message, Exception innerException)
        : base(message, innerException)
    {
        Code = "refused";
    }

    /// <summary>Creates the exception from the cluster's refusal.</summary>
    /// <param name="refusal">What the cluster answered.</param>
    /// <param name="requestId">The request id of the call.</param>
    /// <param name="context">The tenant and workspace the call ran for; none for a call sent without one that the cluster refused for it.</param>
    public CallRefusedException(ChatRefusal refusal, string? requestId, TenantContext? context)
        : base((refusal ?? throw new ArgumentNullException(nameof(refusal))).Message)
    {
        Code = refusal.Code;
        StatusCode = refusal.StatusCode;
        RequestId = requestId;
        Context = context;
    }

    /// <summary>The machine-readable reason, e.g. <c>model_not_allowed</c>, <c>tenant_suspended</c>, <c>upstream_timeout</c>.</summary>
    public string Code { get; }

    /// <summary>The HTTP status the silo's HTTP API answers the same refusal with (403, 400, 502, …).</summary>
    public int StatusCode { get; }

    /// <summary>The request id the call ran under (in the usage ledger when upstream was reached).</summary>
    public string? RequestId { get; }

    /// <summary>The tenant and workspace of the call.</summary>
    public TenantContext? Context { get; }
}

/// <summary>
/// The tenant's budget refused a chat call before it went upstream (hard enforcement): <see cref="Denial"/> names the
/// limit, what was spent and reserved, what is left and when the period resets. Nothing was charged.
/// </summary>
public sealed class BudgetExceededException : CallRefusedException
{
    /// <summary>Creates the exception with a generic message.</summary>
    public BudgetExceededException()
        : base("A budget limit refused the call.")
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public BudgetExceededException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and the exception that caused it.</summary>
    public BudgetExceededException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception from the cluster's refusal.</summary>
    public BudgetExceededException(ChatRefusal refusal, string? requestId, TenantContext? context)
        : base(refusal, requestId, context)
    {
        Denial = refusal.Denial;
    }

    /// <summary>The refusing limit: metric, period, limit, spent, reserved, requested, remaining and reset time.</summary>
    public BudgetDenial? Denial { get; }
}

/// <summary>
/// The tenant's rate limit (requests or tokens per minute), or upstream's, refused a chat call; retry after
/// <see cref="RetryAfter"/>. Nothing was charged.
/// </summary>
public sealed class RateLimitedException : CallRefusedException
{
    /// <summary>Creates the exception with a generic message.</summary>
    public RateLimitedException()
        : base("A rate limit refused the call.")
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public RateLimitedException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and the exception that caused it.</summary>
    public RateLimitedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception from the cluster's refusal.</summary>
    public RateLimitedException(ChatRefusal refusal, string? requestId, TenantContext? context)
        : base(refusal, requestId, context)
    {
        RetryAfter = refusal.RetryAfterSeconds is { } seconds ? TimeSpan.FromSeconds(seconds) : null;
    }

    /// <summary>When a retry may succeed, when the limiter said.</summary>
    public TimeSpan? RetryAfter { get; }
}
