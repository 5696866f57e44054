# source: https://github.com/aiaioo/DeepLearningBasicsTutorial
# expect: clean
# pitfall: none: weight.data is updated after loss.backward() with a value that carries no graph and no pending backward saved it (the legacy update, AG013's, off by default)
# The notebook says the cell can be run "as many times as you want"; it runs three times here.
import torch
import random

# Let's say the weight = 2
weight = torch.nn.Parameter(torch.Tensor([[2]]))

print("Weight = "+str(weight.data[0,0]))

for _ in range(3):
    # Forward pass = computing the loss from the parameters and input data

    # Let's first set the partial derivative of the loss with respect to the weight to 0.
    if weight.grad is not None:
        weight.grad.data.zero_()

    # Toy loss function -> loss = weight^2 + 3
    loss = torch.mm(weight, weight) + 3

    print("Loss for weight = "+str(weight.data[0,0])+" = "+str(loss.data[0,0]))

    # Backward pass ->  Pytorch does this automatically for you!

    loss.backward()

    gradient = weight.grad

    # The gradient should be 2 * weight
    print("Gradient for weight = "+str(weight.data[0,0])+" = "+str(gradient.data[0,0]))

    learning_rate = 0.01

    # Gradient descent = when you climb down the loss gradient by nudging the weights in a direction opposite the gradient.

    # Now weight = weight - lr * dloss/dweight
    weight.data = weight.data - learning_rate * gradient.data

    print("The next iteration of the weight is "+str(weight.data[0,0]))
