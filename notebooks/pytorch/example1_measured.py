# Example 1 measured as it meant to: the parameter change over the 10 steps, from the same start
# for each batch size (the model is re-made from seed 0 each time).
import torch
import torch.nn as nn
import torch.optim as optim

criterion = nn.MSELoss()
base_lr = 0.01
for bs in [32, 128, 512]:
    torch.manual_seed(0)
    model = nn.Linear(10, 1)
    dummy_input = torch.randn(1, 10)
    dummy_target = torch.randn(1, 1)
    before = torch.cat([p.detach().flatten() for p in model.parameters()])
    optimizer = optim.SGD(model.parameters(), lr=base_lr)
    for _ in range(10):
        for _ in range(bs):
            loss = criterion(model(dummy_input), dummy_target)
            loss.backward()
        optimizer.step()
        optimizer.zero_grad()
    after = torch.cat([p.detach().flatten() for p in model.parameters()])
    print(f"Batch size: {bs}, parameter change norm: {(after - before).norm().item():.4e}, loss: {loss.item():.4e}")
