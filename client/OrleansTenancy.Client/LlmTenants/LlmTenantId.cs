namespace OrleansTenancy.Client;

/// <summary>
/// A plain tenant id, for code that has an id rather than an object: pass <c>new LlmTenantId("acme")</c> where an LLM
/// tenant is expected (an agent's <c>tenant</c>, <see cref="ILlmTenants.For(object)"/>,
/// <see cref="ILlmTenants.EnsureLlmTenantAsync"/>). A bare <see cref="string"/> is refused there, so that a name
/// or a label is never taken for a tenant by mistake.
/// </summary>
/// <param name="Value">The tenant id (the slug the cluster knows it by).</param>
public readonly record struct LlmTenantId(string Value)
{
    /// <summary>The id.</summary>
    public override string ToString() => Value ?? string.Empty;
}
