# stand-in python app
print("worker.py")
