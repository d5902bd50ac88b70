# The seed's Example 3, as written, plus torch.manual_seed(0) so lrlab can reproduce it.
import torch
import torch.nn as nn
import torch.optim as optim
from torch.optim.lr_scheduler import StepLR
torch.manual_seed(0)

class SimpleModel(nn.Module):
    def __init__(self):
        super(SimpleModel, self).__init__()
        self.linear = nn.Linear(10, 1)
    def forward(self, x):
        return self.linear(x)

model = SimpleModel()
criterion = nn.MSELoss()
base_lr = 0.1
optimizer = optim.SGD(model.parameters(), lr=base_lr)
scheduler = StepLR(optimizer, step_size=5, gamma=0.5)
dummy_input = torch.randn(1, 10)
dummy_target = torch.randn(1, 1)
print(f"Initial learning rate: {scheduler.get_last_lr()[0]:.4f}")
for epoch in range(10):
    for _ in range(10):
       output = model(dummy_input)
       loss = criterion(output, dummy_target)
       loss.backward()
       optimizer.step()
       optimizer.zero_grad()
    scheduler.step()
    print(f"Epoch {epoch}, Learning Rate: {scheduler.get_last_lr()[0]:.4f}")
