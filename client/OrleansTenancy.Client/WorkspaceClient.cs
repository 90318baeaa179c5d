using OrleansTenancy.GrainInterfaces;

namespace OrleansTenancy.Client;

/// <summary>
/// Chat calls and memory of one workspace of a tenant: every call carries this <see cref="Context"/>, so it is
/// reserved against the tenant's budget, recorded in its usage and kept in its memory namespaces.
/// </summary>
/// <remarks>
/// <para>
/// Chat calls go through the cluster's router exactly as HTTP calls do (policy, worst-case reservation, upstream,
/// settlement, ledger, metrics), each in a grain of its own (<see cref="IChatCallGrain"/>) that its cancellation
/// reaches. They are never retried by this client: one whose gateway or silo failed may have
/// reached upstream, so the caller sees the failure and decides. Refusals throw: <see cref="BudgetExceededException"/>,
/// <see cref="RateLimitedException"/>, <see cref="UnknownTenantException"/> for an unknown tenant or workspace, and
/// <see cref="CallRefusedException"/> for the rest.
/// </para>
/// <para>
/// Cancelling a chat call's token cancels it on the silo as well: upstream is abandoned and what may have been
/// consumed is settled, never zero, as for an HTTP client that disconnects.
/// </para>
/// </remarks>
public sealed partial class WorkspaceClient
{
    private readonly TenancyClient _client;

    internal WorkspaceClient(TenancyClient client, TenantClient tenant, string workspace)
    {
        _client = client;
        Tenant = tenant;
        Context = new TenantContext(tenant.Id, workspace);
    }

    /// <summary>The tenant and workspace every call runs for.</summary>
    public TenantContext Context { get; }

    /// <summary>The workspace's tenant (budget, usage).</summary>
    public TenantClient Tenant { get; }

    /// <summary>Asks one question (a single user message).</summary>
    /// <exception cref="CallRefusedException">The cluster refused the call (see the remarks of <see cref="WorkspaceClient"/>).</exception>
    /// <exception cref="UnknownTenantException">The cluster does not know the tenant or the workspace.</exception>
    public Task<ChatResult> ChatAsync(string prompt, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
        ChatAsync(ChatCalls.Prompt(prompt), options, cancellationToken);

    /// <summary>Runs one chat call over a conversation.</summary>
    /// <exception cref="TimeoutException">It did not finish within <see cref="TenancyClientOptions.ChatTimeout"/>.</exception>
    /// <exception cref="CallRefusedException">The cluster refused the call (see the remarks of <see cref="WorkspaceClient"/>).</exception>
    /// <exception cref="UnknownTenantException">The cluster does not know the tenant or the workspace.</exception>
    public Task<ChatResult> ChatAsync(IReadOnlyList<ChatTurn> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
        ChatCalls.RunAsync(_client, ChatCalls.Build(Context, messages, options), cancellationToken);

    /// <summary>Asks one question and streams the answer as it arrives.</summary>
    /// <exception cref="CallRefusedException">The cluster refused the call, before or during the stream.</exception>
    /// <exception cref="UnknownTenantException">The cluster does not know the tenant or the workspace.</exception>
    public IAsyncEnumerable<ChatStreamUpdate> StreamChatAsync(string prompt, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
        StreamChatAsync(ChatCalls.Prompt(prompt), options, cancellationToken);

    /// <summary>
    /// Runs one chat call over a conversation and streams the answer: updates with text as it arrives, then one with the
    /// whole <see cref="ChatStreamUpdate.Completion"/> and its settled cost. Stopping early (breaking out of the loop or
    /// cancelling) ends the call on the silo, which settles what was consumed.
    /// </summary>
    /// <exception cref="CallRefusedException">The cluster refused the call, before or during the stream.</exception>
    /// <exception cref="UnknownTenantException">The cluster does not know the tenant or the workspace.</exception>
    public IAsyncEnumerable<ChatStreamUpdate> StreamChatAsync(
        IReadOnlyList<ChatTurn> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
        ChatCalls.StreamAsync(_client, ChatCalls.Build(Context, messages, options), cancellationToken);
}
