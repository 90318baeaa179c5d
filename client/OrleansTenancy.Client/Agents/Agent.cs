using OrleansTenancy.GrainInterfaces;

namespace OrleansTenancy.Client;

/// <summary>
/// A reusable LLM call with its declarations (model, system prompt, task, temperature, largest completion) that runs on
/// behalf of a tenant: every call goes through the cluster's router, so the tenant's policy, budget, usage ledger and
/// metrics apply, and the ledger records the agent's <see cref="Name"/>.
/// </summary>
/// <remarks>
/// <para>
/// Declare an agent by overriding the properties; every one left alone takes the tenant's routing policy. Create it
/// from the container (<c>services.AddAgent&lt;T&gt;()</c>) or with <c>new</c>, given <see cref="ILlmTenants"/>.
/// </para>
/// <para>
/// The tenant of a call is <see cref="ResolveTenant"/>'s answer: by default the <c>tenant</c> argument, which must be an
/// LLM tenant object, an <see cref="LlmTenantId"/> or an <see cref="LlmTenant"/>; anything else throws
/// <see cref="ArgumentException"/> naming its type. A subclass may resolve it otherwise, for example from a parameter.
/// With no tenant, the call carries no tenant context and the cluster decides: in strict mode
/// (<c>Tenancy:Strict</c> or <c>ENABLE_TENANCY_STRICT=1</c> on the silo) it is refused with
/// <see cref="CallRefusedException"/> code <c>tenant_context_missing</c>; otherwise it runs as <c>default:main</c> and
/// <c>tenancy_fallback_total</c> counts it.
/// </para>
/// </remarks>
/// <example>
/// <code>
/// public sealed class SupportAgent(ILlmTenants tenants) : Agent(tenants)
/// {
///     public override string? Model => "openai/gpt-4o-mini";
///     public override string? SystemPrompt => "You answer customer questions briefly.";
/// }
///
/// ChatResult answer = await supportAgent.CallAsync("Where is my order?", tenant: organization);
/// </code>
/// </example>
public abstract class Agent
{
    /// <summary>Creates the agent over the service's LLM tenants (and through them, its cluster client).</summary>
    protected Agent(ILlmTenants tenants)
    {
        ArgumentNullException.ThrowIfNull(tenants);
        Tenants = tenants;
    }

    /// <summary>The name recorded as the calling agent in the usage ledger. Defaults to the class name.</summary>
    public virtual string Name => GetType().Name;

    /// <summary>The model to call; <see langword="null"/> (the default) takes the task's or the tenant's default model.</summary>
    public virtual string? Model => null;

    /// <summary>The system prompt sent before the user's; none by default.</summary>
    public virtual string? SystemPrompt => null;

    /// <summary>The task, which selects the tenant's task → model mapping when <see cref="Model"/> is unset; none by default.</summary>
    public virtual string? Task => null;

    /// <summary>The sampling temperature; none by default (upstream's).</summary>
    public virtual double? Temperature => null;

    /// <summary>The largest completion in tokens; none by default (the tenant's policy and the model's maximum cap it).</summary>
    public virtual int? MaxTokens => null;

    /// <summary>The workspace calls run in; <see langword="null"/> (the default) uses the tenant's default workspace.</summary>
    public virtual string? Workspace => null;

    /// <summary>The service's LLM tenants.</summary>
    protected ILlmTenants Tenants { get; }

    /// <summary>Runs the agent on <paramref name="prompt"/> for <paramref name="tenant"/> and returns the answer with its cost.</summary>
    /// <param name="prompt">The user's message.</param>
    /// <param name="tenant">An LLM tenant object, an <see cref="LlmTenantId"/>, an <see cref="LlmTenant"/>, or none (see the remarks).</param>
    /// <param name="parameters">Values for <see cref="ResolveTenant"/> and <see cref="BuildMessages"/> of a subclass.</param>
    /// <param name="cancellationToken">Cancels the call on the silo, which settles what upstream may have charged.</param>
    /// <exception cref="ArgumentException">The tenant is not an LLM tenant; the message names its type.</exception>
    /// <exception cref="CallRefusedException">The cluster refused the call (a budget, a rate limit, policy, strict mode without a tenant).</exception>
    /// <exception cref="UnknownTenantException">The cluster does not know the tenant (see <see cref="ILlmTenants.EnsureLlmTenantAsync"/>).</exception>
    public Task<ChatResult> CallAsync(
        string prompt, object? tenant = null, IReadOnlyDictionary<string, object?>? parameters = null, CancellationToken cancellationToken = default) =>
        ChatCalls.RunAsync(Tenants.Client, Prepare(prompt, tenant, parameters), cancellationToken);

    /// <summary>
    /// Runs the agent as <see cref="CallAsync"/> does and streams the answer: updates with text as it arrives, the last
    /// one with the whole <see cref="ChatStreamUpdate.Completion"/> and its settled cost. Stopping early ends the call on
    /// the silo, which settles what was consumed.
    /// </summary>
    /// <exception cref="ArgumentException">The tenant is not an LLM tenant (thrown here, before anything is sent); the message names its type.</exception>
    /// <exception cref="CallRefusedException">The cluster refused the call, before or during the stream.</exception>
    public IAsyncEnumerable<ChatStreamUpdate> StreamAsync(
        string prompt, object? tenant = null, IReadOnlyDictionary<string, object?>? parameters = null, CancellationToken cancellationToken = default) =>
        ChatCalls.StreamAsync(Tenants.Client, Prepare(prompt, tenant, parameters), cancellationToken);

    /// <summary>
    /// The tenant a call runs for. By default the <c>tenant</c> argument; override it to find the tenant elsewhere, for
    /// example in <see cref="AgentCall.Parameters"/>. Return <see langword="null"/> for no tenant.
    /// </summary>
    protected virtual object? ResolveTenant(AgentCall request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return request.Tenant;
    }

    /// <summary>The conversation sent: the <see cref="SystemPrompt"/>, if any, then the prompt as the user's message.</summary>
    protected virtual IReadOnlyList<ChatTurn> BuildMessages(AgentCall request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return SystemPrompt is { Length: > 0 } system
            ? [new ChatTurn("system", system), new ChatTurn("user", request.Prompt)]
            : [new ChatTurn("user", request.Prompt)];
    }

    private ChatCall Prepare(string prompt, object? tenant, IReadOnlyDictionary<string, object?>? parameters)
    {
        ArgumentException.ThrowIfNullOrEmpty(prompt);
        var request = new AgentCall(prompt, tenant, parameters ?? AgentCall.NoParameters);
        TenantContext? context = null;
        if (ResolveTenant(request) is { } resolved)
        {
            var handle = Tenants.For(resolved);
            context = new TenantContext(handle.Id, Workspace ?? handle.Options.DefaultWorkspace);
        }

        var options = new ChatOptions { Model = Model, Task = Task, Agent = Name, Temperature = Temperature, MaxTokens = MaxTokens };
        return ChatCalls.Build(context, BuildMessages(request), options);
    }
}

/// <summary>One call of an <see cref="Agent"/>, as <see cref="Agent.ResolveTenant"/> and the message builder see it.</summary>
/// <param name="Prompt">The user's message.</param>
/// <param name="Tenant">The <c>tenant</c> argument, if any.</param>
/// <param name="Parameters">The call's parameters (empty when none were given).</param>
public sealed record AgentCall(string Prompt, object? Tenant, IReadOnlyDictionary<string, object?> Parameters)
{
    internal static IReadOnlyDictionary<string, object?> NoParameters { get; } = new Dictionary<string, object?>();

    /// <summary>The parameter <paramref name="name"/> as a <typeparamref name="T"/>.</summary>
    /// <exception cref="ArgumentException">The call has no such parameter, or it is not a <typeparamref name="T"/>.</exception>
    public T Parameter<T>(string name) =>
        Parameters.TryGetValue(name, out var value) && value is T typed
            ? typed
            : throw new ArgumentException($"The agent call has no parameter '{name}' of type {typeof(T).Name}.", nameof(name));
}
