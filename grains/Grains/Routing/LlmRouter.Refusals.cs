using Microsoft.Extensions.Logging;
using OrleansTenancy.Grains.Mapping;
using OrleansTenancy.Ledger;
using RequestIds = OrleansTenancy.GrainInterfaces.RequestIds;

namespace OrleansTenancy.Grains.Routing;

public sealed partial class LlmRouter
{
    /// <summary>
    /// Records a refusal of a known tenant's call (budget 402, policy 403, rate limit 429) as a ledger row, so that the
    /// executions list holds every request outcome. The row costs nothing, counts as a request but not as an execution
    /// (so it never uses up an execution limit), and names the reason. Its id is the request id followed by
    /// <c>~refused-</c> and a suffix of its own: a retry of the same request id is still served and recorded under the id
    /// itself. A failure to record is logged and never changes the refusal the caller gets.
    /// </summary>
    private async Task RecordRefusalAsync(RouteRequest request, RouteRefusedException refusal)
    {
        if (_ledger is null || refusal.Context is not { } context || StatusOfRefusal(refusal) is not { } status
            || _registry.Current.Find(context.Tenant) is null)
        {
            return;
        }

        var requestId = string.IsNullOrWhiteSpace(request.RequestId) ? RequestIds.New(_time) : request.RequestId;
        var row = new UsageRecord
        {
            RequestId = $"{requestId}~refused-{Guid.NewGuid().ToString("N")[..12]}",
            Tenant = context.Tenant,
            Workspace = context.Workspace,
            Agent = request.Agent,
            Task = string.IsNullOrWhiteSpace(request.Task) ? "default" : request.Task,
            Model = string.IsNullOrWhiteSpace(request.Body?.Model) ? "auto" : request.Body.Model,
            EstimatedCostUsd = refusal.Denial?.Requested ?? 0m,
            Status = status,
            Reason = refusal.Denial is { } denial ? denial.LimitName() : refusal.Code,
            CreatedAt = _time.GetUtcNow(),
        };
        try
        {
            await _ledger.RecordAsync(row);
        }
        catch (Exception error) when (error is not OperationCanceledException)
        {
            LogRefusalNotRecorded(context.ToString(), requestId, error.Message);
        }
    }

    private static string? StatusOfRefusal(RouteRefusedException refusal) => refusal.Reason switch
    {
        RouteRefusal.BudgetDenied => UsageStatus.Denied,
        RouteRefusal.RateLimited => UsageStatus.RateLimited,
        RouteRefusal.ModelNotAllowed or RouteRefusal.TenantSuspended => UsageStatus.Forbidden,
        _ => null,
    };

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Context}: the refusal of request {RequestId} could not be recorded in the usage ledger ({Reason})")]
    private partial void LogRefusalNotRecorded(string context, string requestId, string reason);
}
