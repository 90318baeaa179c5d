using System.Collections.Concurrent;
using OrleansTenancy.Runtime.Sql;

namespace OrleansTenancy.Runtime.Tests.Storage;

public sealed class BatchDrainerTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task Items_that_arrive_while_a_batch_is_sent_go_together_in_the_next()
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var firstSending = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var allSent = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var batches = new ConcurrentQueue<int[]>();
        var sent = 0;
        var drainer = new BatchDrainer<int>(async batch =>
        {
            batches.Enqueue([.. batch]);
            firstSending.TrySetResult();
            await release.Task;
            if (Interlocked.Add(ref sent, batch.Count) == 11)
            {
                allSent.SetResult();
            }
        }, maxBatch: 100, maxInFlight: 1);

        drainer.Add(0);
        await firstSending.Task.WaitAsync(Patience);
        for (var i = 1; i <= 10; i++)
        {
            drainer.Add(i);
        }

        release.SetResult();
        await allSent.Task.WaitAsync(Patience);

        Assert.Equal([[0], [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]], batches.ToArray());
    }

    [Fact]
    public async Task A_batch_holds_at_most_the_maximum_and_the_rest_follows()
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var firstSending = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var allSent = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var sizes = new ConcurrentQueue<int>();
        var sent = 0;
        var drainer = new BatchDrainer<int>(async batch =>
        {
            sizes.Enqueue(batch.Count);
            firstSending.TrySetResult();
            await release.Task;
            if (Interlocked.Add(ref sent, batch.Count) == 8)
            {
                allSent.SetResult();
            }
        }, maxBatch: 3, maxInFlight: 1);

        drainer.Add(0);
        await firstSending.Task.WaitAsync(Patience);
        for (var i = 1; i < 8; i++)
        {
            drainer.Add(i);
        }

        release.SetResult();
        await allSent.Task.WaitAsync(Patience);

        Assert.Equal([1, 3, 3, 1], sizes.ToArray());
    }
}
