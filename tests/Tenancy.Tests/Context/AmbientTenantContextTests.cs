using OrleansTenancy.Tenancy;

namespace OrleansTenancy.Tenancy.Tests.ContextTests;

public class AmbientTenantContextTests
{
    private static readonly TenantContext _acme = new("acme", "support");
    private static readonly TenantContext _globex = new("globex", "main");

    [Fact]
    public void Scope_sets_and_restores_the_previous_context_when_nested()
    {
        using (AmbientTenantContext.Suppress())
        {
            Assert.Null(AmbientTenantContext.Current);
            using (AmbientTenantContext.Enter(_acme))
            {
                Assert.Equal(_acme, AmbientTenantContext.Current);
                var inner = AmbientTenantContext.Enter(_globex);
                Assert.Equal(_globex, AmbientTenantContext.Current);
                inner.Dispose();
                Assert.Equal(_acme, AmbientTenantContext.Current);
                inner.Dispose(); // a second dispose must not clobber the outer scope
                Assert.Equal(_acme, AmbientTenantContext.Current);
            }

            Assert.Null(AmbientTenantContext.Current);
        }
    }

    [Fact]
    public async Task Context_flows_into_tasks_and_thread_pool_work()
    {
        using var scope = AmbientTenantContext.Enter(_acme);
        var fromTask = await Task.Run(() => AmbientTenantContext.Current);
        var fromPool = new TaskCompletionSource<TenantContext?>(TaskCreationOptions.RunContinuationsAsynchronously);
        ThreadPool.QueueUserWorkItem(_ => fromPool.SetResult(AmbientTenantContext.Current));

        Assert.Equal(_acme, fromTask);
        Assert.Equal(_acme, await fromPool.Task.WaitAsync(TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task A_context_entered_in_a_child_task_does_not_leak_to_the_parent()
    {
        using var scope = AmbientTenantContext.Enter(_acme);
        var seenInChild = await Task.Run(() =>
        {
            AmbientTenantContext.Enter(_globex); // deliberately not disposed: the flow copy must isolate it
            return AmbientTenantContext.Current;
        });

        Assert.Equal(_globex, seenInChild);
        Assert.Equal(_acme, AmbientTenantContext.Current);
    }

    [Fact]
    public async Task Context_survives_awaits_that_resume_on_other_threads()
    {
        using var scope = AmbientTenantContext.Enter(_globex);
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        ThreadPool.UnsafeQueueUserWorkItem(_ => gate.SetResult(), null);
        await gate.Task.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(_globex, AmbientTenantContext.Current);
    }

    [Fact]
    public void Entering_an_empty_context_is_rejected()
    {
        Assert.Throws<ArgumentException>(() => AmbientTenantContext.Enter(default));
    }
}
