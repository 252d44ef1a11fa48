print("mynacard")
